// The kernel side of the plan: namespaces (pid = shared only behind Landlock ABI 6, network namespace
// and /dev for proxy mode, IPC), then the seccomp policy, the Landlock rules mirroring the mounts,
// and the process policy.

extension Planner {
    func namespaces(_ b: inout Builder, net: NetworkPlan) -> (Namespaces, Traced<LandlockMode>) {
        var ns = Namespaces()
        ns.pid = profile.pid.value == .private
        var landlockMode = profile.landlock
        if profile.pid.value == .shared {
            // The host's processes are then visible; only a Landlock domain keeps the game from tracing
            // them, reading their /proc files and (ABI 6) signalling them. No Yama needed, none assumed.
            if profile.landlock.value == .off || host.landlockABI < 6 {
                ns.pid = true
                let why = profile.landlock.value == .off ? "landlock = off (\(profile.landlock.origin))" : "this kernel offers Landlock ABI \(host.landlockABI)"
                b.warnings.append("pid = shared (\(profile.pid.origin)) needs Landlock ABI 6 or later to keep the game from tracing, reading or signalling your other processes, and \(why); the game gets its own PID namespace instead, so the Steam overlay, Steam Input and GameMode may not find it")
            } else {
                if let i = b.mounts.firstIndex(where: { $0.kind == .proc }) {
                    b.mounts[i] = MountStep(.bind, source: "/proc", "/proc", reason: "the host's /proc (pid = shared; a nested sandbox writes its uid_map there)")
                }
                landlockMode = Traced(.required, profile.pid.origin)
                b.warnings.append("pid = shared (\(profile.pid.origin)): the game can list your other processes; Landlock (required) keeps it from tracing, reading or signalling them")
            }
        }
        ns.ipc = profile.ipc.value == .private
        ns.network = net.mode == .off || net.mode == .proxy
        ns.disableNestedUserNamespaces = !profile.nestedSandbox.value
        if net.mode == .proxy {
            // bwrap runs the sandbox in a nested user namespace when asked for --disable-userns or
            // for --dev (devpts needs root at mount time); that namespace has no say over the network
            // namespace, so the helper could not open port 53 for the DNS bridge. Proxy mode uses
            // neither: /dev is built without devpts, and the seccomp filter alone refuses new user
            // namespaces (unshare and clone with CLONE_NEWUSER: EPERM, recorded; clone3: ENOSYS).
            if let i = b.mounts.firstIndex(where: { $0.kind == .dev }) {
                b.mounts[i] = MountStep(.devMinimal, "/dev", reason: "minimal /dev without ptys (null, zero, full, random, urandom, tty, shm): network = proxy")
            }
            if ns.disableNestedUserNamespaces {
                ns.disableNestedUserNamespaces = false
                b.notes.append("network = proxy: no ptys in /dev and no bwrap --disable-userns (both would put the sandbox in a nested user namespace that cannot open the DNS port); new user namespaces stay refused by the seccomp filter")
            }
        }
        if profile.ipc.value == .shared {
            b.add(.bind, source: "/dev/shm", "/dev/shm", reason: "shared memory with the host (ipc = shared)")
        }
        return (ns, landlockMode)
    }

    func kernelPolicies(_ b: inout Builder, landlockMode: Traced<LandlockMode>) -> (SeccompPolicy, LandlockPlan, ProcessPolicy) {
        let seccomp = SyscallGroups.policy(allow: profile.seccompAllow, deny: profile.seccompDeny, nestedSandbox: profile.nestedSandbox.value)
        var landlock = LandlockPlan.mirroring(b.mounts, mode: landlockMode, nestedSandbox: profile.nestedSandbox)
        landlock.rules.removeAll { host.landlockRulesLeftOut.contains($0.path) }
        let process = ProcessPolicy(allowedPatterns: profile.allowedPatterns.map(\.value), blockedPatterns: profile.blockedPatterns.map(\.value),
                                    allowShellExecution: profile.allowShellExecution.value, maxChildProcesses: profile.maxChildProcesses.value,
                                    allowAnonymousExec: profile.allowAnonymousExec.value)
        if profile.nestedSandbox.value {
            b.warnings.append("nested_sandbox = true (\(profile.nestedSandbox.origin)): the game may create namespaces and mount inside its sandbox; Landlock keeps only its scopes")
        }
        if profile.landlock.value == .off {
            b.warnings.append("landlock = off (\(profile.landlock.origin)): no Landlock layer behind the mounts")
        }
        return (seccomp, landlock, process)
    }
}

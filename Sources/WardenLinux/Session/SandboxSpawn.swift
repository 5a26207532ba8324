import Glibc
import CLinux
import WardenCore

/// Starts bwrap for a plan: the control socket, the seccomp filter on a memfd and the bind sources
/// as inherited descriptors, then `ww_spawn_with_overlays` (copy-on-write overlays mounted in a
/// namespace of bwrap's own). Owns the descriptors until `closeAll()`.
final class SandboxSpawn {
    let plan: SandboxPlan
    let bwrapPath: String
    /// The supervisor's end of the control socket (the helper's end is descriptor 3 inside).
    let control: Int32
    let argv: [String]
    private var helperEnd: Int32
    private let seccompFD: Int32
    private let sources: BindSources
    private let passed: [Int32]

    /// Child descriptors: 3 = control socket, 4 = seccomp filter, 5… = bind sources in mount order.
    init(plan: SandboxPlan, bwrapPath: String, filter: [UInt8]) throws {
        self.plan = plan
        self.bwrapPath = bwrapPath
        let seccompFD = try SeccompCompiler.memfd(filter, name: "ww-seccomp")
        let sources: BindSources
        do { sources = try BindSources.open(plan) } catch { close(seccompFD); throw error }
        var pair: [Int32] = [-1, -1]
        guard ww_control_pair(&pair) == 0 else {
            let e = errno
            close(seccompFD); sources.closeAll()
            throw WardenError(.launch, "cannot create the control socket: \(ErrnoText.describe(e))")
        }
        var passed: [Int32] = [pair[1], seccompFD]
        var childFD: [Int: Int32] = [:]
        for index in sources.descriptors.keys.sorted() {
            childFD[index] = Int32(3 + passed.count)
            passed.append(sources.descriptors[index]!)
        }
        self.control = pair[0]
        self.helperEnd = pair[1]
        self.seccompFD = seccompFD
        self.sources = sources
        self.passed = passed
        self.argv = BwrapCommand.render(plan, bwrap: bwrapPath, seccompDescriptor: 4, sourceDescriptor: { childFD[$0] }).arguments
    }

    /// Spawns bwrap and closes the helper's end here. bwrap ignores terminal signals so Ctrl-C
    /// reaches the game (same process group) instead of killing bwrap; the helper restores default
    /// dispositions before exec.
    func spawn() throws -> pid_t {
        let envp = plan.environment.map { "\($0.name)=\($0.value)" }
        let ignored: [Int32] = [SIGINT, SIGQUIT, SIGHUP]
        var pid: pid_t = 0
        var failedStep: Int32 = -1
        let options = plan.copyOnWrite.map(\.mountOptions)
        let targets = plan.copyOnWrite.map(\.merged)
        let spawnError = withCStrings(argv) { cArgv in
            withCStrings(envp) { cEnv in
                withConstCStrings(options) { cOptions in
                    withConstCStrings(targets) { cTargets in
                        ww_spawn_with_overlays(bwrapPath, cArgv, cEnv, passed, Int32(passed.count), ignored, Int32(ignored.count),
                                               cOptions, cTargets, Int32(options.count), &pid, &failedStep)
                    }
                }
            }
        }
        close(helperEnd)
        helperEnd = -1
        guard spawnError == 0 else {
            if failedStep >= 0 { throw CopyOnWrite.failure(plan.copyOnWrite, step: failedStep, errno: spawnError) }
            throw WardenError(.host, "cannot start bwrap (\(bwrapPath)): \(ErrnoText.describe(spawnError)); install the bubblewrap package")
        }
        return pid
    }

    /// Closes what this side still holds.
    func closeAll() {
        if helperEnd >= 0 { close(helperEnd); helperEnd = -1 }
        close(control)
        close(seccompFD)
        sources.closeAll()
    }
}

/// Calls `body` with a NULL-terminated C array of the strings.
public func withCStrings<R>(_ strings: [String], _ body: (UnsafePointer<UnsafeMutablePointer<CChar>?>) -> R) -> R {
    var pointers: [UnsafeMutablePointer<CChar>?] = strings.map { strdup($0) }
    pointers.append(nil)
    defer { for p in pointers { free(p) } }
    return pointers.withUnsafeBufferPointer { body($0.baseAddress!) }
}

/// Calls `body` with a NULL-terminated C array of constant strings.
public func withConstCStrings<R>(_ strings: [String], _ body: (UnsafePointer<UnsafePointer<CChar>?>) -> R) -> R {
    let owned: [UnsafeMutablePointer<CChar>?] = strings.map { strdup($0) }
    defer { for p in owned { free(p) } }
    let pointers: [UnsafePointer<CChar>?] = owned.map { $0.map { UnsafePointer($0) } } + [nil]
    return pointers.withUnsafeBufferPointer { body($0.baseAddress!) }
}

import Glibc
import CLinux
import WardenCore

/// xdg-dbus-proxy for one session: started before the sandbox, ready when it says so on its
/// `--fd` pipe, and gone when ww closes that pipe (also when ww is killed: the pipe closes with it).
struct DBusProxy {
    let pid: pid_t
    let readyFD: Int32

    /// Starts the proxy and waits (up to `timeout` ms) for its readiness byte.
    static func start(_ plan: DBusProxyPlan, timeout: Int32 = 5000) throws -> DBusProxy {
        var fds: [Int32] = [-1, -1]
        guard pipe(&fds) == 0, ww_set_cloexec(fds[0]) == 0, ww_set_cloexec(fds[1]) == 0 else { throw WardenError(.launch, "cannot create a pipe for xdg-dbus-proxy: \(String(cString: strerror(errno)))") }
        let childFD: Int32 = 3
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_adddup2(&actions, fds[1], childFD)   // dup2 clears close-on-exec
        let argv = plan.commandLine(readyFD: childFD)
        let cArgs = argv.map { strdup($0) } + [nil]
        defer { cArgs.forEach { free($0) } }
        var pid: pid_t = 0
        let rc = posix_spawn(&pid, plan.program, &actions, nil, cArgs, environ)
        close(fds[1])
        guard rc == 0 else {
            close(fds[0])
            throw WardenError(.host, "cannot start xdg-dbus-proxy (\(plan.program)): \(String(cString: strerror(rc))); install the xdg-dbus-proxy package")
        }
        let proxy = DBusProxy(pid: pid, readyFD: fds[0])
        var p = pollfd(fd: fds[0], events: Int16(POLLIN), revents: 0)
        var ready = false
        while true {
            let n = poll(&p, 1, timeout)
            if n < 0 && errno == EINTR { continue }
            if n > 0 {
                var byte: UInt8 = 0
                ready = read(fds[0], &byte, 1) == 1
            }
            break
        }
        guard ready else {
            proxy.stop()
            throw WardenError(.host, "xdg-dbus-proxy did not start for the session bus \(plan.upstream) (see its message above); check that the session bus runs, or set dbus = \"none\"")
        }
        return proxy
    }

    /// Closing the pipe tells the proxy to stop; SIGTERM in case it does not, then reap it.
    func stop() {
        close(readyFD)
        kill(pid, SIGTERM)
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
    }
}

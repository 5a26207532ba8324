import Dispatch
import CLinux
import Glibc
import Synchronization
import NIOCore
import WardenCore
import WardenLinux

/// Which game process a proxy connection came from: the bridge's fork serving it is the unix
/// peer (SO_PEERCRED); its TCP peer inside the sandbox is the game's socket, found in
/// /proc/BRIDGE/net/tcp and then among the helper's descendants.
/// `struct ucred` (pid, uid, gid), which Glibc's module does not export.
struct PeerCredentials: Sendable {
    var pid: Int32 = 0
    var uid: UInt32 = 0
    var gid: UInt32 = 0
}

final class ClientFinder: @unchecked Sendable {
    let helper = Mutex<pid_t>(0)

    /// Where the proxy's records wait for their process lookup (serial: records keep their order).
    static let queue = DispatchQueue(label: "winewarden.proxy-clients")

    /// The bridge fork on the other end of a proxy connection (SO_PEERCRED); on the channel's event loop.
    func peer(of channel: Channel) -> pid_t? {
        guard helper.withLock({ $0 }) > 0, let provider = channel as? SocketOptionProvider else { return nil }
        // On the channel's own event loop the option is read at once: the future is already complete.
        let future: EventLoopFuture<PeerCredentials> = provider.unsafeGetSocketOption(level: SocketOptionLevel(SOL_SOCKET), name: SocketOptionName(SO_PEERCRED))
        var got: PeerCredentials?
        future.whenSuccess { got = $0 }
        guard let cred = got, cred.pid > 0 else { return nil }
        return cred.pid
    }

    /// The game process behind bridge fork `peer` on bridge port `port`: reads /proc, so not on an event loop.
    func client(peer: pid_t, port: Int) -> (pid: pid_t, chain: [AuditEvent.ProcessLink])? {
        find { ww_tcp_client_of(peer, Int32(port), $1, $2) }
    }

    /// `match(helper, descendants, count)` names one of the helper's descendants; with its chain.
    func find(_ match: (pid_t, UnsafePointer<pid_t>, Int32) -> pid_t) -> (pid: pid_t, chain: [AuditEvent.ProcessLink])? {
        let root = helper.withLock { $0 }
        guard root > 0 else { return nil }
        var candidates = [pid_t](repeating: 0, count: 4096)
        let n = Int32(min(Int(ww_list_descendants(root, &candidates, Int32(candidates.count))), candidates.count))
        let pid = candidates.withUnsafeBufferPointer { match(root, $0.baseAddress!, n) }
        guard pid > 0 else { return nil }
        return (pid, NotificationSupervisor.chain(pid, stopAt: root))
    }

    /// Who asked the DNS relay. Over TCP: as for the proxy, through the bridge fork (`peer`). Over
    /// UDP the bridge forwards only the payload, so the asker is the one resolver socket connected to
    /// 127.0.0.1:53 in the sandbox (glibc connects its UDP socket); with none, or several at once,
    /// the query stays without a pid rather than get a guessed one.
    func dnsClient(peer: pid_t, stream: Bool) -> (pid: pid_t, chain: [AuditEvent.ProcessLink])? {
        if stream { return peer > 0 ? client(peer: peer, port: 53) : nil }
        return find { root, candidates, n in ww_udp_client_of(root, 53, candidates, n) }
    }
}

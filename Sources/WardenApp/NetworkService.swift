import Glibc
import WardenCore
import WardenLinux
import WardenNet

/// The session's network (proxy, DNS relay, inbound listeners) as a service the supervisor starts
/// once the signals are blocked and stops at the end. `canaries` are the tokens of the session's
/// decoys, looked for in what the game sends through the proxy and the DNS relay.
final class NetworkService: SessionService {
    let plan: NetworkPlan
    let canaries: CanaryTokens
    private var running: SessionNetwork?

    init(_ plan: NetworkPlan, canaries: CanaryTokens) {
        self.plan = plan
        self.canaries = canaries
    }

    func start(trail: AuditTrail?) throws { running = try NetworkServices.start(plan, canaries: canaries, trail: trail) }
    func helperStarted(_ pid: pid_t) { running?.helperStarted(pid) }
    func stop() { running?.stop(); running = nil }
}

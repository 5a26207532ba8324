import Glibc
import WardenCore
import WardenLinux
import WardenNet

/// The session's network (proxy, DNS relay, inbound listeners) as a service the supervisor starts
/// once the signals are blocked and stops at the end.
final class NetworkService: SessionService {
    let plan: NetworkPlan
    private var running: SessionNetwork?

    init(_ plan: NetworkPlan) { self.plan = plan }

    func start(trail: AuditTrail?) throws { running = try NetworkServices.start(plan, trail: trail) }
    func helperStarted(_ pid: pid_t) { running?.helperStarted(pid) }
    func stop() { running?.stop(); running = nil }
}

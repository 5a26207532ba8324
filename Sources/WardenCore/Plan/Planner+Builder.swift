// The plan under construction: the ordered mount steps and the notes, warnings and folders the
// planner collects on the way, with the questions the steps ask of it (is a path visible, where).

extension Planner {
    struct Builder {
        let emptyFile: String
        var mounts: [MountStep] = []
        var notes: [String] = []
        var warnings: [String] = []
        var directoriesToCreate: [String] = []
        var copyOnWrite: [CopyOnWriteLayer] = []
        var decoys: [DecoyPlan.Item] = []
        var discordSockets: [String] = []
        var hotplug = DeviceHotplugPlan()
        /// The paths whose names the game may not change (`PathGuard`), as they are hidden, decoyed or guarded.
        var guarded: [PathGuard.Entry] = []

        mutating func guardPath(_ dest: String, _ category: PathGuard.Category, standsFor: String, mechanism: String? = nil, namesInside: Bool = false) {
            if !guarded.contains(where: { $0.path == dest }) {
                guarded.append(PathGuard.Entry(path: dest, category: category, standsFor: standsFor, mechanism: mechanism, namesInside: namesInside))
            }
        }

        mutating func add(_ kind: MountStep.Kind, source: String? = nil, _ dest: String, permissions: String? = nil, reason: String) {
            mounts.append(MountStep(kind, source: source, dest, permissions: permissions, reason: reason))
        }

        mutating func hide(_ dest: String, kind: FileKind?, reason: String) {
            if mounts.contains(where: { ($0.kind == .hideFile || $0.kind == .tmpfs || $0.kind == .decoy) && $0.destination == dest }) { return }
            if kind == .directory {
                add(.tmpfs, dest, permissions: "0000", reason: reason)
                add(.remountReadOnly, dest, reason: reason)
            } else {
                add(.hideFile, source: emptyFile, dest, reason: reason)
            }
        }

        /// Where a host path appears inside, through the last bind that covers it.
        func sandboxPath(forHost path: String) -> String? {
            for m in mounts.reversed() where m.kind == .readOnlyBind || m.kind == .bind || m.kind == .anchor || m.kind == .deviceBind || m.kind == .overlayBind {
                if let src = m.kind == .overlayBind ? m.destination : m.source, Paths.isWithin(path, src) { return Paths.rebase(path, from: src, to: m.destination) }
            }
            return nil
        }

        func isVisible(_ path: String) -> Bool {
            mounts.contains { m in
                (m.kind == .readOnlyBind || m.kind == .bind || m.kind == .deviceBind) && m.source.map { Paths.isWithin(path, $0) && m.destination == $0 } == true
                    || m.kind == .overlayBind && Paths.isWithin(path, m.destination)
            }
        }
    }
}

// Device nodes granted to the game: GPU, ntsync, gamepads (never keyboards or mice), sound, extras;
// with gamepads, the stage and the udev folder for controllers plugged in later (`DeviceHotplugPlan`).

extension Planner {
    func addDevices(_ b: inout Builder) {
        if profile.gpu.value {
            if fs.kind("/dev/dri") == .directory { b.add(.deviceBind, source: "/dev/dri", "/dev/dri", reason: "GPU") }
            for name in fs.list("/dev").sorted() where name.hasPrefix("nvidia") {
                b.add(.deviceBind, source: "/dev/\(name)", "/dev/\(name)", reason: "GPU (NVIDIA)")
            }
        }
        if profile.ntsync.value, fs.kind("/dev/ntsync") == .characterDevice {
            b.add(.deviceBind, source: "/dev/ntsync", "/dev/ntsync", reason: "Wine NT synchronisation")
        }
        if profile.gamepads.value {
            // In debug builds' tests the input devices come from a faked root (TestHooks.deviceRoot).
            let root = host.deviceRoot
            if !root.isEmpty { b.notes.append("input devices come from the faked root \(root) (a debug build's test hook)") }
            var initial: [String] = []
            // There from the start, so a program watching the folder sees controllers arrive.
            b.add(.dir, "/dev/input", reason: "input devices (controllers only), also those plugged in later")
            for d in host.inputDevices.sorted(by: { $0.path < $1.path }) {
                if d.isGamepad { b.add(.deviceBind, source: root + d.path, d.path, reason: "gamepad"); initial.append(d.path) }
                else { b.notes.append("\(d.path) not granted: it is a keyboard or mouse, or not a joystick") }
            }
            for h in host.hidrawDevices.sorted(by: { $0.path < $1.path }) where HidrawDevice.controllerVendors.contains(h.vendorID) {
                b.add(.deviceBind, source: root + h.path, h.path, reason: "game controller (hidraw, vendor \(String(h.vendorID, radix: 16)))")
                initial.append(h.path)
            }
            let udev = Paths.join(host.sessionDirectory, "udev")
            b.hotplug = DeviceHotplugPlan(enabled: true, hostDevices: root + "/dev", hostSys: root + "/sys", hostUdevData: root + "/run/udev/data",
                                          udevFolder: udev, initial: initial)
            b.add(.deviceStage, source: root + "/dev", DeviceHotplugPlan.stagePath, permissions: "0000",
                  reason: "the host's devices, staged for controllers plugged in later; unreachable by the game")
            b.directoriesToCreate.append(Paths.join(udev, "data"))
            b.add(.readOnlyBind, source: udev, "/run/udev", reason: "udev's entries for the granted controllers only")
        }
        if profile.sound.value, fs.kind("/dev/snd") == .directory {
            b.add(.deviceBind, source: "/dev/snd", "/dev/snd", reason: "ALSA sound devices")
        }
        for rule in profile.extraDevices {
            if fs.kind(rule.text) == nil { b.notes.append("extra device \(rule.text) (\(rule.origin)) not present: skipped"); continue }
            b.add(.deviceBind, source: rule.text, rule.text, reason: "extra device (\(rule.origin))")
        }
    }
}

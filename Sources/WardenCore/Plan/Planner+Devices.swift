// Device nodes granted to the game: GPU, ntsync, gamepads (never keyboards or mice), sound, extras.

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
            for d in host.inputDevices.sorted(by: { $0.path < $1.path }) {
                if d.isGamepad { b.add(.deviceBind, source: d.path, d.path, reason: "gamepad") }
                else { b.notes.append("\(d.path) not granted: it is a keyboard or mouse, or not a joystick") }
            }
            for h in host.hidrawDevices.sorted(by: { $0.path < $1.path }) where HidrawDevice.controllerVendors.contains(h.vendorID) {
                b.add(.deviceBind, source: h.path, h.path, reason: "game controller (hidraw, vendor \(String(h.vendorID, radix: 16)))")
            }
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

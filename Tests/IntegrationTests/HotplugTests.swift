import Foundation
import XCTest

/// Controllers plugged in and out while the game runs (issue 20): a faked root of devices (the
/// debug build's `WW_TEST_DEVICE_ROOT`: nodes are regular files, sysfs and udev's database are
/// files too) changes under a running game, as the test user with the real bwrap.
final class HotplugTests: XCTestCase {
    let sb = Sandbox.shared

    func waitFor(_ what: String, seconds: Double = 30, _ condition: () -> Bool) -> Bool {
        let end = Date().addingTimeInterval(seconds)
        while Date() < end {
            if condition() { return true }
            usleep(50_000)
        }
        XCTFail("waited \(seconds) s for \(what)")
        return false
    }

    func write(_ text: String, _ path: String) throws {
        try FileManager.default.createDirectory(atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        try text.write(toFile: path, atomically: false, encoding: .utf8)
        chmod(path, 0o644)
    }

    /// An input device as the kernel and udev describe it.
    func plugInput(_ root: String, _ name: String, device: String, udev: String, content: String) throws {
        try write("\(device)\n", "\(root)/sys/class/input/\(name)/dev")
        try write(content, "\(root)/dev/input/\(name)")
        try write(udev, "\(root)/run/udev/data/c\(device)")
    }

    func plugHidraw(_ root: String, _ name: String, device: String, vendor: String) throws {
        try write("HID_ID=0003:0000\(vendor):000009CC\nHID_NAME=pad\n", "\(root)/sys/class/hidraw/\(name)/device/uevent")
        try write("\(device)\n", "\(root)/sys/class/hidraw/\(name)/dev")
        try write("raw \(name)\n", "\(root)/dev/\(name)")
    }

    func testAPadPluggedInAppearsAndLeavesAndAKeyboardNeverAppears() throws { try plugAndUnplug([]) }

    /// `network = proxy`: no nested user namespace and a /dev without ptys; the same changes.
    func testHotplugWorksWithTheProxyNetworkToo() throws { try plugAndUnplug(["--network", "proxy"]) }

    func plugAndUnplug(_ options: [String]) throws {
        let home = try sb.makeHome()
        let root = try sb.userFolder("devroot")
        let talk = try sb.userFolder("hotplug")
        for dir in ["dev/input", "sys/class/input", "sys/class/hidraw", "run/udev/data"] {
            try FileManager.default.createDirectory(atPath: "\(root)/\(dir)", withIntermediateDirectories: true)
        }
        sb.chownTree(root)
        let game = """
        w() { i=0; while ! eval "$1"; do i=$((i+1)); [ $i -gt 600 ] && { echo "TIMEOUT $1"; exit 3; }; sleep 0.05; done; }
        [ -d /dev/input ] && echo "FOLDER there from the start"
        : > \(talk)/ready
        w '[ -e /dev/input/event7 ] && [ -e /dev/hidraw5 ]'
        exec 4</dev/input/event7
        echo "PAD $(cat /dev/input/event7)"
        echo "HIDRAW $(cat /dev/hidraw5)"
        echo "UDEV $(ls /run/udev/data | tr '\\n' ' ')"
        grep -q ID_INPUT_JOYSTICK=1 /run/udev/data/c13:71 && echo "UDEV-PAD classified"
        [ -e /dev/input/event8 ] && echo "LEAK keyboard node"
        [ -e /dev/hidraw6 ] && echo "LEAK raw keyboard node"
        [ -e /run/udev/data/c13:72 ] && echo "LEAK keyboard udev entry"
        ls /run/winewarden/devices >/dev/null 2>&1 && echo "LEAK stage listed"
        cat /run/winewarden/devices/dev/input/event8 >/dev/null 2>&1 && echo "LEAK stage read"
        chmod 755 /run/winewarden/devices 2>/dev/null && echo "LEAK stage opened"
        : > \(talk)/seen
        w '[ ! -e /dev/input/event7 ]'
        echo "GONE $(ls /dev/input | tr '\\n' ' ')"
        [ -e /run/udev/data/c13:71 ] && echo "LEAK stale udev entry"
        read -r line <&4; echo "OPEN DESCRIPTOR still reads: $line"
        echo "GAME still running"
        """
        let log = sb.logPath()
        var result: Sandbox.Result?
        let done = DispatchSemaphore(value: 0)
        DispatchQueue.global().async { [sb] in
            result = try? sb.ww(["--log", log, "--rw", talk] + options + ["--", "/bin/sh", "-c", game], home: home, env: ["WW_TEST_DEVICE_ROOT": root])
            done.signal()
        }
        guard waitFor("the game to start", { FileManager.default.fileExists(atPath: talk + "/ready") }) else { done.wait(); return XCTFail(result?.output ?? "") }
        // A keyboard first (ww must never show it, though the player could open it), then a pad
        // whose udev entry comes after its node, as udev writes it; a Sony raw HID node and a Logitech one.
        try plugInput(root, "event8", device: "13:72", udev: "E:ID_INPUT=1\nE:ID_INPUT_KEYBOARD=1\nE:ID_INPUT_KEY=1\n", content: "keystrokes\n")
        try plugHidraw(root, "hidraw6", device: "245:6", vendor: "046D")
        try write("13:71\n", "\(root)/sys/class/input/event7/dev")
        try write("pad-marker\n", "\(root)/dev/input/event7")
        usleep(100_000)
        try write("E:ID_INPUT=1\nE:ID_INPUT_JOYSTICK=1\n", "\(root)/run/udev/data/c13:71")
        try plugHidraw(root, "hidraw5", device: "245:5", vendor: "054C")
        guard waitFor("the game to see the pad", { FileManager.default.fileExists(atPath: talk + "/seen") }) else { done.wait(); return XCTFail(result?.output ?? "") }
        // Unplugged while the game holds it open.
        try FileManager.default.removeItem(atPath: "\(root)/dev/input/event7")
        try FileManager.default.removeItem(atPath: "\(root)/run/udev/data/c13:71")
        try FileManager.default.removeItem(atPath: "\(root)/sys/class/input/event7")
        XCTAssertEqual(done.wait(timeout: .now() + 60), .success, "the game did not end")
        guard let r = result else { return XCTFail("ww did not run") }
        XCTAssertEqual(r.status, 0, r.output)
        for line in ["FOLDER there from the start", "PAD pad-marker", "HIDRAW raw hidraw5", "UDEV c13:71 ", "UDEV-PAD classified",
                     "GONE ", "OPEN DESCRIPTOR still reads: pad-marker", "GAME still running"] {
            XCTAssertTrue(r.stdout.split(separator: "\n").contains { $0 == line || (line.hasSuffix(" ") && $0.hasPrefix(line)) }, "\(line)\n\(r.output)")
        }
        XCTAssertFalse(r.stdout.contains("LEAK"), r.output)
        XCTAssertFalse(r.stdout.contains("TIMEOUT"), r.output)
        let events = sb.events(log)
        func paths(_ kind: String) -> [String] { events.filter { $0["kind"] as? String == kind }.compactMap { $0["path"] as? String }.sorted() }
        XCTAssertEqual(paths("device_added"), ["/dev/hidraw5", "/dev/input/event7"], "\(events)")
        XCTAssertEqual(paths("device_not_granted"), ["/dev/hidraw6", "/dev/input/event8"], "\(events)")
        XCTAssertEqual(paths("device_removed"), ["/dev/input/event7"], "\(events)")
        XCTAssertEqual(paths("device_hotplug_failed"), [], "\(events)")
    }

    /// A pad there at start is granted by the plan (its udev entry copied); unplugged, it goes.
    func testAPadThereAtStartIsShownWithItsUdevEntryAndRemovedWhenUnplugged() throws {
        let home = try sb.makeHome()
        let root = try sb.userFolder("devroot")
        let talk = try sb.userFolder("hotplug")
        for dir in ["dev/input", "sys/class/input", "run/udev/data"] {
            try FileManager.default.createDirectory(atPath: "\(root)/\(dir)", withIntermediateDirectories: true)
        }
        try plugInput(root, "event3", device: "13:67", udev: "E:ID_INPUT=1\nE:ID_INPUT_JOYSTICK=1\n", content: "start-pad\n")
        try plugInput(root, "event4", device: "13:68", udev: "E:ID_INPUT=1\nE:ID_INPUT_MOUSE=1\n", content: "mouse\n")
        sb.chownTree(root)
        let game = """
        echo "PAD $(cat /dev/input/event3)"
        [ -e /dev/input/event4 ] && echo "LEAK mouse"
        ls /run/udev/data
        : > \(talk)/ready
        i=0; while [ -e /dev/input/event3 ]; do i=$((i+1)); [ $i -gt 600 ] && { echo TIMEOUT; exit 3; }; sleep 0.05; done
        echo GONE
        """
        let log = sb.logPath()
        var result: Sandbox.Result?
        let done = DispatchSemaphore(value: 0)
        DispatchQueue.global().async { [sb] in
            result = try? sb.ww(["--log", log, "--rw", talk, "--", "/bin/sh", "-c", game], home: home, env: ["WW_TEST_DEVICE_ROOT": root])
            done.signal()
        }
        guard waitFor("the game to start", { FileManager.default.fileExists(atPath: talk + "/ready") }) else { done.wait(); return XCTFail(result?.output ?? "") }
        try FileManager.default.removeItem(atPath: "\(root)/dev/input/event3")
        XCTAssertEqual(done.wait(timeout: .now() + 60), .success, "the game did not end")
        guard let r = result else { return XCTFail("ww did not run") }
        XCTAssertEqual(r.status, 0, r.output)
        XCTAssertEqual(r.stdout, "PAD start-pad\nc13:67\nGONE\n", r.output)
        let events = sb.events(log)
        XCTAssertEqual(events.filter { $0["kind"] as? String == "device_removed" }.compactMap { $0["path"] as? String }, ["/dev/input/event3"])
        // The mouse was there at start: the plan's notes say it, no event.
        XCTAssertEqual(events.filter { $0["kind"] as? String == "device_not_granted" }.count, 0)
    }
}

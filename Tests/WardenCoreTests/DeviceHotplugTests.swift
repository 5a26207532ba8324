import XCTest
@testable import WardenCore

/// The rule for controllers plugged in or out while a game runs: the start's rule, a node udev has
/// not described yet waits, and only the names of controller nodes are ever mounted.
final class DeviceHotplugTests: XCTestCase {
    let pad = InputDevice(path: "/dev/input/event7", isJoystick: true, isKeyboard: false, isMouse: false)
    let keyboard = InputDevice(path: "/dev/input/event8", isJoystick: false, isKeyboard: true, isMouse: false)
    let padWithKeys = InputDevice(path: "/dev/input/event9", isJoystick: true, isKeyboard: true, isMouse: false)
    let sony = HidrawDevice(path: "/dev/hidraw2", vendorID: 0x054c)
    let logitech = HidrawDevice(path: "/dev/hidraw3", vendorID: 0x046d)

    func testANewPadIsAddedAndAKeyboardReportedOnce() {
        let c = DeviceHotplugPlan.changes(input: [keyboard, pad, padWithKeys], hidraw: [sony, logitech], pending: [], shown: [], reported: [])
        XCTAssertEqual(c.add.map(\.path), ["/dev/input/event7", "/dev/hidraw2"])
        XCTAssertEqual(c.notGranted.map(\.path), ["/dev/input/event8", "/dev/input/event9", "/dev/hidraw3"])
        XCTAssertEqual(c.remove, [])
        let again = DeviceHotplugPlan.changes(input: [keyboard, pad], hidraw: [sony, logitech], pending: [],
                                              shown: ["/dev/input/event7", "/dev/hidraw2"], reported: ["/dev/input/event8", "/dev/hidraw3"])
        XCTAssertEqual(again, DeviceHotplugPlan.Changes())
    }

    func testAnUnpluggedOrReclassifiedNodeIsRemoved() {
        let gone = DeviceHotplugPlan.changes(input: [], hidraw: [], pending: [], shown: ["/dev/input/event7", "/dev/hidraw2"], reported: [])
        XCTAssertEqual(gone.remove, ["/dev/hidraw2", "/dev/input/event7"])
        // The same name, now a keyboard (a new device took the number): taken away and reported.
        let now = InputDevice(path: "/dev/input/event7", isJoystick: false, isKeyboard: true, isMouse: false)
        let c = DeviceHotplugPlan.changes(input: [now], hidraw: [], pending: [], shown: ["/dev/input/event7"], reported: [])
        XCTAssertEqual(c.remove, ["/dev/input/event7"])
        XCTAssertEqual(c.notGranted.map(\.path), ["/dev/input/event7"])
    }

    func testANodeUdevHasNotDescribedWaits() {
        let c = DeviceHotplugPlan.changes(input: [pad, keyboard], hidraw: [], pending: ["/dev/input/event7", "/dev/input/event8"], shown: [], reported: [])
        XCTAssertEqual(c, DeviceHotplugPlan.Changes())
        // Shown and being described again: stays.
        let shown = DeviceHotplugPlan.changes(input: [pad], hidraw: [], pending: ["/dev/input/event7"], shown: ["/dev/input/event7"], reported: [])
        XCTAssertEqual(shown, DeviceHotplugPlan.Changes())
    }

    func testOnlyControllerNodeNamesAreMounted() {
        XCTAssertEqual(DeviceHotplugPlan.nodeName("/dev/input/event7"), "input/event7")
        XCTAssertEqual(DeviceHotplugPlan.nodeName("/dev/input/js0"), "input/js0")
        XCTAssertEqual(DeviceHotplugPlan.nodeName("/dev/hidraw12"), "hidraw12")
        for bad in ["/dev/uinput", "/dev/input/mice", "/dev/input/event", "/dev/input/event1/x", "/dev/input/../kvm",
                    "/dev/hidraw", "/dev/hidraw1x", "/dev/input/by-id/usb-pad", "/dev/input/event٣", "/dev/kvm", "/dev/input/mouse0"] {
            XCTAssertNil(DeviceHotplugPlan.nodeName(bad), bad)
        }
    }
}

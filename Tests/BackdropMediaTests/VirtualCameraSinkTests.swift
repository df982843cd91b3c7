import BackdropCore
import BackdropMedia
import Foundation
import XCTest

/// No v4l2loopback device exists in the test machine: these check that every way of getting the
/// device wrong says which device and what to do.
final class VirtualCameraSinkTests: SinkTestCase {
    func testMissingDeviceSaysHowToCreateOne() {
        let device = path("video10")  // certainly absent, unlike any /dev/videoN
        XCTAssertThrowsError(try VirtualCameraSink(device: device, width: 320, height: 240, frameRate: 30)) { error in
            guard case let .unsupported(path, reason) = error as? MediaError else { return XCTFail("\(error)") }
            XCTAssertEqual(path, device)
            XCTAssertTrue(reason.contains("no such video device"), reason)
            XCTAssertTrue(reason.contains("modprobe v4l2loopback devices=1 video_nr=10"), reason)
            XCTAssertTrue("\(error)".contains(device))
        }
    }

    func testFilesAndOtherDevicesAreRefused() {
        let file = path("not-a-device")
        XCTAssertTrue(FileManager.default.createFile(atPath: file, contents: Data()))
        XCTAssertThrowsError(try VirtualCameraSink(device: file, width: 320, height: 240, frameRate: 30)) { error in
            guard case let .unsupported(_, reason) = error as? MediaError else { return XCTFail("\(error)") }
            XCTAssertTrue(reason.contains("not a video device"), reason)
        }
        // /dev/null is a character device but no V4L2 one: the format negotiation at init fails, after
        // the yuyv422 raw-video encoder was set up (so the pixel format maps to V4L2).
        XCTAssertThrowsError(try VirtualCameraSink(device: "/dev/null", width: 320, height: 240, frameRate: 30,
                                                   format: .yuyv422)) { error in
            guard case let .unsupported(path, reason) = error as? MediaError else { return XCTFail("\(error)") }
            XCTAssertEqual(path, "/dev/null")
            XCTAssertTrue(reason.contains("not a V4L2 device"), reason)
            print("/dev/null as a camera: \(error)")
        }
    }
}

import BackdropCore
import BackdropMedia
import Foundation
import XCTest

/// Who has a device open, from /proc: what the busy-camera error and v4l2loopback 0.12's reader
/// detection rely on. A plain file stands in for the device (the links in /proc/PID/fd are the same).
final class DeviceHoldersTests: XCTestCase {
    func testTheProcessHoldingAFileIsNamedAndThisProcessIsLeftOut() throws {
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("holders-\(getpid()).dev").path
        XCTAssertTrue(FileManager.default.createFile(atPath: file, contents: Data()))
        defer { unlink(file) }
        let mine = open(file, O_RDONLY)  // this process holds it too, and must not be listed
        defer { close(mine) }
        XCTAssertEqual(DeviceHolders.processes(holding: file), [], "nobody else holds it yet")

        let holder = Process()
        holder.executableURL = URL(fileURLWithPath: "/bin/sh")
        holder.arguments = ["-c", "exec sleep 30 3<\"$0\"", file]
        try holder.run()
        defer { holder.terminate(); holder.waitUntilExit() }
        var holders: [DeviceHolder] = []
        // The shell opens the file, then becomes sleep: wait for that (it is "sh" for a moment).
        for _ in 0..<100 where holders.first?.command != "sleep" {
            holders = DeviceHolders.processes(holding: file)
            if holders.first?.command != "sleep" { Thread.sleep(forTimeInterval: 0.05) }
        }
        XCTAssertEqual(holders, [DeviceHolder(pid: holder.processIdentifier, command: "sleep")])
        XCTAssertEqual(DeviceHolders.describe(holders), "sleep (pid \(holder.processIdentifier))")
        XCTAssertNil(DeviceHolders.describe([]))
        XCTAssertEqual(DeviceHolders.processes(holding: file + ".absent"), [])
    }
}

/// Camera formats by either name, and the events a live source reports while it reconnects.
final class CameraFormatAndStatusTests: XCTestCase {
    func testCameraFormatsAreKnownByFFmpegsAndV4L2sNames() {
        XCTAssertEqual(CameraDevices.inputFormat(named: "mjpeg"), "mjpeg")
        XCTAssertEqual(CameraDevices.inputFormat(named: "MJPG"), "mjpeg")
        XCTAssertEqual(CameraDevices.inputFormat(named: "yuyv"), "yuyv422")
        XCTAssertEqual(CameraDevices.inputFormat(named: "nv12"), "nv12")
        XCTAssertNil(CameraDevices.inputFormat(named: "h265ish"))
        XCTAssertTrue(CameraDevices.knownFormatNames.contains("uyvy422") && CameraDevices.knownFormatNames.contains("UYVY"))
    }

    func testAStatusTellsItsObserverOfEachLossAndReturn() {
        final class Events: @unchecked Sendable { var all: [SourceStatus.Event] = [] }
        let events = Events()
        let status = SourceStatus { events.all.append($0) }
        status.beginReconnecting(because: "No such device")
        XCTAssertEqual(status.reconnecting, "No such device")
        status.reconnected(afterSeconds: 1.5, attempt: 2)
        XCTAssertNil(status.reconnecting)
        status.beginReconnecting(because: "the stream ended")
        status.gaveUp(because: "a stop was requested")
        XCTAssertNil(status.reconnecting)
        XCTAssertEqual(events.all, [.lost(reason: "No such device"), .restored(gapSeconds: 1.5, attempt: 2),
                                    .lost(reason: "the stream ended"), .gaveUp(reason: "a stop was requested")])
    }
}

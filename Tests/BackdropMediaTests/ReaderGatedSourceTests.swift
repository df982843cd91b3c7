import BackdropCore
import BackdropMedia
import Foundation
import XCTest

/// The real camera runs only while the virtual camera has readers. A file stands in for the camera
/// (no camera or v4l2loopback device exists on CI machines) and a flag for the reader count.
final class ReaderGatedSourceTests: SinkTestCase {
    func testCameraIsReleasedWhileNobodyWatchesAndAStillIsSentInstead() throws {
        let clip = path("camera.mkv")
        let sink = try VideoFileSink(path: clip, width: 320, height: 240, frameRate: 25, codec: .lossless)
        try writeGradient(to: sink, count: 40)

        final class Flag: @unchecked Sendable { var watched = true }
        let flag = Flag()
        var opened = 0
        let gated = try ReaderGatedSource(name: "camera", idleFrameRate: 50, isWatched: { flag.watched }) { () throws(MediaError) -> VideoSource in
            opened += 1
            return try FFmpegVideoSource(url: clip)
        }
        var frame = VideoFrame(image: PixelImage(width: 320, height: 240, format: .rgb))
        var timestamps: [Int64] = []
        func next() throws -> VideoFrame {
            XCTAssertTrue(try gated.read(into: &frame))
            timestamps.append(frame.timestampMicroseconds)
            return frame
        }

        for _ in 0..<5 { _ = try next() }
        let lastLive = frame.image.pixels
        flag.watched = false
        for _ in 0..<3 {
            let still = try next()
            XCTAssertEqual(still.image.pixels, lastLive, "while nobody watches, the last frame is repeated")
        }
        XCTAssertEqual(gated.pauses, 1, "the camera was released once")
        flag.watched = true
        let resumed = try next()
        XCTAssertEqual(opened, 2, "the camera was opened again")
        XCTAssertNotEqual(resumed.image.pixels, lastLive)
        XCTAssertEqual(timestamps, timestamps.sorted())
        XCTAssertEqual(Set(timestamps).count, timestamps.count, "timestamps keep increasing across the pause")
        gated.close()
        XCTAssertFalse(try gated.read(into: &frame))
    }

    /// Gating a camera on a device that cannot report its readers fails before touching the
    /// camera: the caller keeps the camera it opened, still running.
    func testGatingOnADeviceThatIsNotAVirtualCameraLeavesTheCameraAsItWas() throws {
        let clip = path("camera.mkv")
        try writeGradient(to: try VideoFileSink(path: clip, width: 320, height: 240, frameRate: 25, codec: .lossless), count: 5)
        let camera = try FFmpegVideoSource(url: clip)
        XCTAssertThrowsError(try ReaderGatedSource(camera: clip, watchedThrough: "/dev/null", alreadyOpen: camera)) { error in
            guard case .unsupported(let path, let reason) = error as? MediaError else { return XCTFail("\(error)") }
            XCTAssertEqual(path, "/dev/null")
            XCTAssertTrue(reason.contains("v4l2loopback"), reason)
        }
        var frame = VideoFrame(image: PixelImage(width: 0, height: 0, format: .rgb))
        XCTAssertTrue(try camera.read(into: &frame), "the camera is still open")
        XCTAssertEqual(camera.statistics.framesDelivered, 1)
    }

    func testReaderDetectionOnADeviceThatIsNotAVirtualCameraSaysSo() {
        XCTAssertThrowsError(try VirtualCameraReaders(device: "/dev/video63")) { error in
            guard case .deviceUnavailable(let path, _) = error as? MediaError else { return XCTFail("\(error)") }
            XCTAssertEqual(path, "/dev/video63")
        }
        XCTAssertThrowsError(try VirtualCameraReaders(device: "/dev/null")) { error in
            guard case .unsupported(let path, let reason) = error as? MediaError else { return XCTFail("\(error)") }
            XCTAssertEqual(path, "/dev/null")
            XCTAssertTrue(reason.contains("v4l2loopback"), reason)
        }
    }
}

@testable import BackdropMedia
import BackdropCore
import Dispatch
import Foundation
import XCTest

/// The virtual camera's steady rate, without a device: `SteadyRateWriter` feeding a recorder.
final class SteadyRateWriterTests: XCTestCase {
    /// What the writer wrote: each frame's index and timestamp, and when.
    final class Recorder: @unchecked Sendable {
        private let lock = NSLock()
        private var entries: [(index: Int, timestamp: Int64, at: UInt64)] = []
        func record(_ frame: VideoFrame) {
            lock.withLock { entries.append((frame.index, frame.timestampMicroseconds, DispatchTime.now().uptimeNanoseconds)) }
        }
        var all: [(index: Int, timestamp: Int64, at: UInt64)] { lock.withLock { entries } }
    }

    private func frame(_ index: Int) -> VideoFrame {
        VideoFrame(image: PixelImage(width: 8, height: 8, format: .rgb), timestampMicroseconds: 0, index: index)
    }

    /// A pipeline at 4 fps behind a 25 fps camera: readers still get ~25 frames a second, the newest
    /// picture repeated, each stamped later than the one before, and each fresh frame written at once.
    func testSlowFramesAreRepeatedAtTheRateWithIncreasingTimestamps() throws {
        let recorder = Recorder()
        let writer = SteadyRateWriter(frameRate: 25, threadName: "test.steady") { frame throws(MediaError) in recorder.record(frame) }
        let start = DispatchTime.now().uptimeNanoseconds
        for index in 0..<5 {
            let before = DispatchTime.now().uptimeNanoseconds
            try writer.write(frame(index))
            let written = recorder.all.last
            XCTAssertEqual(written?.index, index, "a fresh frame is written before write returns")
            XCTAssertGreaterThanOrEqual(written?.at ?? 0, before)
            Thread.sleep(forTimeInterval: 0.25)
        }
        writer.stop()
        let seconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
        let entries = recorder.all
        let rate = Double(entries.count) / seconds
        print("steady writer: \(entries.count) frames in \(String(format: "%.2f", seconds)) s = \(String(format: "%.1f", rate)) fps "
              + "(asked 25), fresh \(writer.framesWritten.fresh), repeated \(writer.framesWritten.repeated)")
        XCTAssertEqual(writer.framesWritten.fresh, 5)
        XCTAssertEqual(writer.framesWritten.fresh + writer.framesWritten.repeated, entries.count)
        // At least 20 fps (25 less 20%: a loaded machine may wake the thread late), at most 30: a
        // repeat follows one interval after the newest write, so each fresh frame (4 a second) can
        // add one to the 25.
        XCTAssertGreaterThanOrEqual(rate, 20)
        XCTAssertLessThanOrEqual(rate, 30)
        for (earlier, later) in zip(entries, entries.dropFirst()) {
            XCTAssertLessThan(earlier.timestamp, later.timestamp, "timestamps must increase, repeats included")
            XCTAssertLessThanOrEqual(later.index - earlier.index, 1, "frames in order")
        }
        let gaps = zip(entries, entries.dropFirst()).map { Double($1.at - $0.at) / 1e6 }
        XCTAssertLessThan(gaps.max() ?? 0, 120, "no gap of three frame intervals (ms)")
    }

    /// After `stop()` nothing more is written; frames coming at the rate are not repeated at all.
    func testStopEndsTheRepeatsAndFramesAtTheRateAreNotRepeated() throws {
        let recorder = Recorder()
        let writer = SteadyRateWriter(frameRate: 10, threadName: "test.steady") { frame throws(MediaError) in recorder.record(frame) }
        for index in 0..<10 {
            try writer.write(frame(index))
            Thread.sleep(forTimeInterval: 0.05)  // twice the rate
        }
        XCTAssertEqual(writer.framesWritten.repeated, 0, "frames faster than the rate need no repeats")
        writer.stop()
        let count = recorder.all.count
        Thread.sleep(forTimeInterval: 0.35)
        XCTAssertEqual(recorder.all.count, count, "no write after stop()")
    }

    /// A device error on the repeating thread surfaces at the next `write`.
    func testAnErrorWhileRepeatingIsThrownByTheNextWrite() throws {
        final class Failing: @unchecked Sendable { var calls = 0 }
        let failing = Failing()
        let writer = SteadyRateWriter(frameRate: 50, threadName: "test.steady") { _ throws(MediaError) in
            failing.calls += 1
            if failing.calls > 1 { throw .writeFailed(path: "/dev/video10", reason: "the device went away") }
        }
        defer { writer.stop() }
        try writer.write(frame(0))
        Thread.sleep(forTimeInterval: 0.2)
        XCTAssertThrowsError(try writer.write(frame(1))) { error in
            XCTAssertTrue("\(error)".contains("the device went away"), "\(error)")
        }
    }
}

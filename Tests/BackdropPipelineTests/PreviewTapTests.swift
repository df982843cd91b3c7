@testable import BackdropPipeline
import BackdropCore
import XCTest

/// The preview tap copies only while watched, at most at its rate, and hands frames over by swapping.
final class PreviewTapTests: XCTestCase {
    func testCopiesOnlyWhileWatchedAndAtMostAtItsRate() {
        let tap = PreviewTap(maxRate: 10)  // one copy per 100 ms at most
        let frame = PixelImage(width: 4, height: 2, format: .rgba, pixels: [UInt8](repeating: 7, count: 32))
        let mask = ConfidenceMask(width: 4, height: 2, values: [Float](repeating: 0.5, count: 8))
        tap.offer(input: frame, now: 1_000_000_000)
        tap.offer(output: frame, mask: mask, maskIsFresh: true, now: 1_000_000_000)
        XCTAssertEqual(PreviewView.allCases.map(tap.generation(of:)), [0, 0, 0], "nobody watches: nothing is copied")

        tap.watch(.output)
        tap.watch(.mask)
        XCTAssertTrue(tap.wantsMask)
        var now: UInt64 = 2_000_000_000
        for _ in 0..<10 {  // 10 frames 20 ms apart: 200 ms, so 2 copies at 10 per second
            tap.offer(input: frame, now: now)
            tap.offer(output: frame, mask: mask, maskIsFresh: true, now: now)
            now += 20_000_000
        }
        XCTAssertEqual(tap.generation(of: .output), 2)
        XCTAssertEqual(tap.generation(of: .mask), 2)
        XCTAssertEqual(tap.generation(of: .input), 0, "an unwatched view is not copied")
        XCTAssertTrue(tap.waitForFrame(timeout: 0.01), "a copy signals readers")

        var taken = PixelImage(width: 0, height: 0, format: .rgba)
        XCTAssertEqual(tap.take(.output, into: &taken, newerThan: 0), 2)
        XCTAssertEqual(taken, frame)
        XCTAssertNil(tap.take(.output, into: &taken, newerThan: 2), "nothing newer")
        var takenMask = ConfidenceMask()
        XCTAssertEqual(tap.take(mask: &takenMask, newerThan: 0), 2)
        XCTAssertEqual(takenMask, mask)

        tap.offer(output: frame, mask: mask, maskIsFresh: false, now: now + 1_000_000_000)
        XCTAssertEqual(tap.generation(of: .mask), 2, "a mask not made for this frame is not shown")
        XCTAssertEqual(tap.generation(of: .output), 3, "the output is, a second later")
        tap.unwatch(.output)
        tap.unwatch(.mask)
        XCTAssertEqual(tap.watcherCount(.output), 0)
        tap.offer(output: frame, mask: mask, maskIsFresh: true, now: now + 2_000_000_000)
        XCTAssertEqual(tap.generation(of: .output), 3, "unwatched again: no more copies")
    }

    func testSamplesAreAWindowOfTheirOwn() {
        let recorder = TelemetryRecorder(now: 0)
        _ = recorder.sample(now: 0)  // opens the window
        for _ in 0..<10 { recorder.frameRead(); recorder.frameProcessed(); recorder.frameOutput(latencyNanoseconds: 20_000_000) }
        recorder.dropped(at: .effect, because: .replacedByNewer)
        let first = recorder.sample(now: 2)
        XCTAssertEqual(first.inputFPS, 5)
        XCTAssertEqual(first.outputFPS, 5)
        XCTAssertEqual(first.latencyP50Milliseconds, 20, accuracy: 0.1)
        XCTAssertEqual(first.framesDropped, 1)
        XCTAssertEqual(first.framesOutputTotal, 10)
        // A periodic snapshot between samples does not disturb them, nor they it.
        let snapshot = recorder.snapshot(now: 3)
        XCTAssertEqual(snapshot.interval.framesOutput, 10)
        for _ in 0..<4 { recorder.frameOutput(latencyNanoseconds: 50_000_000) }
        let second = recorder.sample(now: 4)
        XCTAssertEqual(second.outputFPS, 2)
        XCTAssertEqual(second.framesDropped, 0)
        XCTAssertEqual(second.framesDroppedTotal, 1)
        XCTAssertEqual(second.latencyP99Milliseconds, 50, accuracy: 0.1)
        XCTAssertEqual(second.seconds, 4)
        XCTAssertEqual(recorder.snapshot(now: 5).interval.framesOutput, 4)
    }
}

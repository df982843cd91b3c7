import BackdropMediaPipe
import BackdropTestSupport
import Foundation
import XCTest
@testable import BackdropPipeline

/// `TaskGuard`, with stand-in tasks: when it replaces an instance, that no frame waits for the
/// replacement, that every instance it made is closed exactly once, and what a failed build does.
final class TaskGuardTests: XCTestCase {
    final class StandIn: Sendable {
        let serial: Int
        init(serial: Int) { self.serial = serial }
    }

    /// Makes numbered stand-ins and records which were closed; `failFrom` makes builds fail from that serial on.
    final class Factory: @unchecked Sendable {
        let made = Locked(0)
        let closed = Locked<[Int]>([])
        let swaps = Locked<[String]>([])
        var failFrom = Int.max
        func make() throws(MediaPipeError) -> StandIn {
            var serial = 0
            made.mutate { $0 += 1; serial = $0 }
            if serial >= failFrom { throw .invalidOptions("stand-in build \(serial) fails") }
            return StandIn(serial: serial)
        }
        func guarded(_ policy: MemoryGuardPolicy) throws -> TaskGuard<StandIn> {
            try TaskGuard(name: "stand-in", policy: policy, onSwap: { name in self.swaps.mutate { $0.append(name) } },
                          close: { task in self.closed.mutate { $0.append(task.serial) } },
                          make: { () throws(MediaPipeError) in try self.make() })
        }
    }

    func testAnInstancePastItsFrameLimitIsReplacedBetweenFramesAndClosed() throws {
        let factory = Factory()
        let guarded = try factory.guarded(MemoryGuardPolicy(growthBudgetBytes: nil, maxFramesPerInstance: 3, warmUpFrames: 1))
        XCTAssertEqual(guarded.current.serial, 1)
        for _ in 0..<3 { guarded.frameDone() }  // the third frame reaches the limit: a build starts in the background
        XCTAssertEqual(guarded.current.serial, 1, "the frame that starts a build does not wait for it")
        // Frames go on with the old instance until the new one is ready; then the next frame swaps it in.
        XCTAssertTrue(poll(timeout: 10) { guarded.frameDone(); return guarded.current.serial == 2 })
        XCTAssertEqual(guarded.swaps, 1)
        XCTAssertEqual(factory.swaps.value, ["stand-in"])
        XCTAssertTrue(poll(timeout: 10) { factory.closed.value == [1] }, "the retired instance is closed (in the background)")
        guarded.shutDown()
        XCTAssertEqual(factory.closed.value.sorted(), Array(1...factory.made.value).filter { $0 != 0 }.sorted(),
                       "every instance made is closed exactly once")
    }

    func testAFailedBuildKeepsTheCurrentInstanceAndTriesAgain() throws {
        let factory = Factory()
        factory.failFrom = 2
        let guarded = try factory.guarded(MemoryGuardPolicy(growthBudgetBytes: nil, maxFramesPerInstance: 1, warmUpFrames: 1))
        XCTAssertTrue(poll(timeout: 10) { guarded.frameDone(); return factory.made.value >= 3 }, "builds are retried")
        XCTAssertEqual(guarded.current.serial, 1, "a failed build leaves the working instance in place")
        XCTAssertEqual(guarded.swaps, 0)
        guarded.shutDown()
        XCTAssertEqual(factory.closed.value, [1])
    }

    func testNoPolicyNeverReplacesAndAFailingFirstBuildThrows() throws {
        let factory = Factory()
        let guarded = try factory.guarded(MemoryGuardPolicy(growthBudgetBytes: nil, maxFramesPerInstance: nil, warmUpFrames: 1))
        for _ in 0..<500 { guarded.frameDone() }
        XCTAssertEqual(factory.made.value, 1)
        XCTAssertEqual(guarded.swaps, 0)
        guarded.shutDown()
        XCTAssertEqual(factory.closed.value, [1])

        let failing = Factory()
        failing.failFrom = 1
        XCTAssertThrowsError(try failing.guarded(MemoryGuardPolicy())) { error in
            XCTAssertEqual(error as? MediaPipeError, .invalidOptions("stand-in build 1 fails"))
        }
    }
}

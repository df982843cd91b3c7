import BackdropTestSupport
import Foundation
import XCTest
@testable import BackdropPipeline

/// `Handoff`: capacity, order, both full policies, closing, and no allocation per put/take.
final class HandoffTests: XCTestCase {
    func testItemsComeOutInTheOrderTheyWentIn() {
        let handoff = Handoff<Int>(capacity: 3, policy: .wait)
        for value in 1...3 { XCTAssertNil(handoff.put(value)) }
        XCTAssertEqual(handoff.waiting, 3)
        XCTAssertEqual([handoff.take(), handoff.take()], [1, 2])
        XCTAssertNil(handoff.put(4))
        XCTAssertEqual([handoff.take(), handoff.take()], [3, 4])
        XCTAssertNil(handoff.poll(), "poll on an empty hand-off returns at once")
    }

    func testReplaceOldestNeverBlocksAndHandsBackWhatItPushedOut() {
        let handoff = Handoff<Int>(capacity: 2, policy: .replaceOldest)
        XCTAssertNil(handoff.put(1))
        XCTAssertNil(handoff.put(2))
        XCTAssertEqual(handoff.put(3), 1, "the oldest goes back to the producer, to recycle and count")
        XCTAssertEqual(handoff.put(4), 2)
        XCTAssertEqual(handoff.waiting, 2)
        XCTAssertEqual([handoff.take(), handoff.take()], [3, 4], "the consumer gets the newest items")
    }

    func testWaitPolicyBlocksAFullProducerUntilTheConsumerTakes() {
        let handoff = Handoff<Int>(capacity: 1, policy: .wait)
        XCTAssertNil(handoff.put(1))
        let putReturned = Locked(false)
        let producer = Thread {
            _ = handoff.put(2)
            putReturned.mutate { $0 = true }
        }
        producer.start()
        // The producer must still be blocked while the one slot is full: give it every chance to
        // (wrongly) return, by polling for a while, then free the slot.
        XCTAssertFalse(poll(timeout: 0.3) { putReturned.value }, "a full .wait hand-off blocks the producer")
        XCTAssertEqual(handoff.waiting, 1)
        XCTAssertEqual(handoff.take(), 1)
        XCTAssertTrue(poll(timeout: 10) { putReturned.value }, "taking one wakes the producer")
        XCTAssertEqual(handoff.take(), 2)
    }

    func testCloseWakesWaitersRefusesPutsAndDrainsWhatIsLeft() {
        let handoff = Handoff<Int>(capacity: 2, policy: .wait)
        let consumerGot = Locked<[Int?]>([])
        let started = Locked(false)
        let consumer = Thread {
            started.mutate { $0 = true }
            let item = handoff.take()  // blocks, outside any lock the test reads
            consumerGot.mutate { $0.append(item) }
        }
        consumer.start()
        XCTAssertTrue(poll(timeout: 10) { started.value })
        XCTAssertTrue(consumerGot.value.isEmpty, "take blocks on an empty hand-off")
        handoff.close()
        XCTAssertTrue(poll(timeout: 10) { consumerGot.value.count == 1 }, "close wakes a blocked take")
        XCTAssertEqual(consumerGot.value, [nil])

        let drained = Handoff<Int>(capacity: 2, policy: .replaceOldest)
        XCTAssertNil(drained.put(7))
        drained.close()
        XCTAssertEqual(drained.put(8), 8, "a closed hand-off hands the item straight back")
        XCTAssertEqual(drained.take(), 7, "what was waiting is still delivered")
        XCTAssertNil(drained.take(), "then take returns nil instead of blocking")
    }

    func testPuttingAndTakingAllocateNothing() throws {
        guard let counters = AllocationCounters.loaded() else {
            let child = try AllocationCounters.rerunPreloaded("BackdropPipelineTests.HandoffTests/testPuttingAndTakingAllocateNothing",
                                                              checkout: PipelineTestCase.root)
            XCTAssertTrue(AllocationCounters.passed(child), "the counted run failed:\n\(child.stdout)\n\(child.errors)")
            return
        }
        let waiting = Handoff<Int>(capacity: 4, policy: .wait)
        let replacing = Handoff<Int>(capacity: 2, policy: .replaceOldest)
        _ = waiting.put(0); _ = waiting.take(); _ = replacing.put(0); _ = replacing.take()  // first use
        var sum = 0
        let allocations = counters.countSwiftAllocations {
            for value in 0..<10_000 {
                _ = waiting.put(value)
                sum &+= waiting.take() ?? 0
                sum &+= replacing.put(value) ?? 0
                sum &+= replacing.poll() ?? 0
            }
        }
        XCTAssertEqual(allocations, 0, "Swift heap allocations in 10,000 rounds of put and take")
        XCTAssertGreaterThan(sum, 0)
    }
}

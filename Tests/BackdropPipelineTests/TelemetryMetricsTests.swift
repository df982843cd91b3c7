import Foundation
import Metrics
import MetricsTestKit
import Synchronization
import XCTest
@testable import BackdropPipeline

/// The reporter publishes to the metrics factory it is given (a `TestMetrics` here, never the
/// global system): counters equal to the recorded counts, gauges for memory and the pool, latency
/// percentiles as recorded.
final class TelemetryMetricsTests: XCTestCase {
    /// Frames in bursts while the reporter publishes every 50 ms: each counter ends at the run's
    /// exact count however the bursts fell into intervals, because the final publish at stop adds
    /// the rest.
    func testCountersEqualTheRecordedCountsAcrossPeriodicPublishes() throws {
        let metrics = TestMetrics()
        let recorder = TelemetryRecorder()
        let published = Mutex(0)
        let reporter = TelemetryReporter(recorder: recorder, interval: .milliseconds(50), rssSampleInterval: .milliseconds(50),
                                         metricsFactory: metrics) { _ in published.withLock { $0 += 1 } }
        XCTAssertEqual(metrics.counters(label: TelemetryMetrics.drops).count, PipelineStage.allCases.count * DropReason.allCases.count,
                       "a drop counter for every stage and reason, before any drop")
        XCTAssertEqual(metrics.counters(label: TelemetryMetrics.swaps).count, SwappedTask.allCases.count)
        reporter.start()

        var read = 0, processed = 0, output = 0, rateCaps = 0, replaced = 0, segmenterSwaps = 0
        var burst = 0
        let deadline = Date().addingTimeInterval(5)
        while (published.withLock({ $0 }) < 3 || burst < 5) && Date() < deadline {
            burst += 1
            for index in 0..<(20 + burst) {
                recorder.frameRead(); read += 1
                if index % 7 == 3 { recorder.dropped(at: .source, because: .rateCap); rateCaps += 1; continue }
                recorder.frameProcessed(); processed += 1
                if index % 5 == 1 { recorder.dropped(at: .sink, because: .replacedByNewer); replaced += 1; continue }
                recorder.frameOutput(latencyNanoseconds: 30_000_000)
                output += 1
            }
            if burst % 2 == 0 { recorder.instanceSwapped(task: .segmenter); segmenterSwaps += 1 }
            recorder.poolUse(inUse: burst % 4, capacity: 6)
            Thread.sleep(forTimeInterval: 0.02)
        }
        let last = reporter.stop()
        XCTAssertGreaterThanOrEqual(published.withLock { $0 }, 3, "periodic publishes happened during the run")

        func frames(_ stage: String) -> Int64 { metrics.counterTotal(label: TelemetryMetrics.frames, dimensions: [("stage", stage)]) }
        XCTAssertEqual(frames("source"), Int64(read))
        XCTAssertEqual(frames("effect"), Int64(processed))
        XCTAssertEqual(frames("sink"), Int64(output))
        XCTAssertGreaterThan(try metrics.expectCounter(TelemetryMetrics.frames, [("stage", "source")]).values.count, 1,
                             "counted in several publishes, not once at the end")
        func drops(_ stage: PipelineStage, _ reason: DropReason) throws -> Int64 {
            try metrics.expectCounter(TelemetryMetrics.drops, [("stage", stage.description), ("reason", reason.description)]).totalValue
        }
        XCTAssertEqual(try drops(.source, .rateCap), Int64(rateCaps))
        XCTAssertEqual(try drops(.sink, .replacedByNewer), Int64(replaced))
        XCTAssertEqual(metrics.counterTotal(label: TelemetryMetrics.drops), Int64(rateCaps + replaced), "no other drop counted")
        XCTAssertEqual(try metrics.expectCounter(TelemetryMetrics.swaps, [("task", "segmenter")]).totalValue, Int64(segmenterSwaps))
        XCTAssertEqual(metrics.counterTotal(label: TelemetryMetrics.swaps), Int64(segmenterSwaps))
        XCTAssertEqual(last.run.framesOutput, output, "the recorder agrees")

        let rss = try XCTUnwrap(try metrics.expectGauge(TelemetryMetrics.residentBytes).lastValue)
        XCTAssertEqual(rss / RSSTrend.bytesPerMegabyte, last.rssMegabytes, accuracy: 0.001, "the sample the final snapshot holds")
        XCTAssertEqual(try metrics.expectGauge(TelemetryMetrics.poolInUse).lastValue, Double(last.poolInUse))
        XCTAssertEqual(try metrics.expectGauge(TelemetryMetrics.poolPeakInUse).lastValue, Double(last.poolPeakInUse))
        XCTAssertEqual(try metrics.expectGauge(TelemetryMetrics.poolCapacity).lastValue, 6)
        for quantile in TelemetryMetrics.quantiles {
            let values = try metrics.expectGauge(TelemetryMetrics.latency, [("quantile", quantile)]).values
            XCTAssertFalse(values.isEmpty)
            for seconds in values { XCTAssertEqual(seconds, 0.030, accuracy: 0.030 / 1_000, "every frame took 30 ms") }
        }
    }

    /// Varied latencies, all in the final interval (the reporter's interval is longer than the run):
    /// the published percentiles are the samples' own, within HdrHistogram's 3 significant digits.
    func testLatencyGaugesAreTheRecordedPercentiles() throws {
        let metrics = TestMetrics()
        let recorder = TelemetryRecorder()
        let reporter = TelemetryReporter(recorder: recorder, interval: .seconds(3_600), metricsFactory: metrics)
        reporter.start()
        var random = TelemetrySeededRandom(seed: 11)
        var samples: [UInt64] = []
        for _ in 0..<10_000 {
            let milliseconds = random.unit() < 0.95 ? 25 + 30 * random.unit() : 80 + 900 * random.unit()
            samples.append(UInt64(milliseconds * 1_000_000))
            recorder.frameOutput(latencyNanoseconds: samples.last!)
        }
        let last = reporter.stop()
        XCTAssertEqual(metrics.counterTotal(label: TelemetryMetrics.frames, dimensions: [("stage", "sink")]), 10_000)

        let sorted = samples.sorted()
        for (quantile, p) in zip(TelemetryMetrics.quantiles, [50.0, 95, 99]) {
            let exact = Double(sorted[Int((p * Double(sorted.count) / 100).rounded(.up)) - 1]) / 1e9
            let published = try XCTUnwrap(try metrics.expectGauge(TelemetryMetrics.latency, [("quantile", quantile)]).lastValue)
            // 0.1% of the value for the histogram, 1 µs for the snapshot's rounding to 0.001 ms.
            XCTAssertEqual(published, exact, accuracy: exact / 1_000 + 1e-6, "p\(p)")
        }
        let maximum = try XCTUnwrap(try metrics.expectGauge(TelemetryMetrics.latencyMax).lastValue)
        XCTAssertEqual(maximum, Double(sorted.last!) / 1e9, accuracy: 1e-6, "the maximum is exact")
        XCTAssertEqual(maximum, last.run.latencyMaxMilliseconds / 1_000, accuracy: 1e-12)
    }

    /// An interval without output frames does not publish latency (a 0 would read as instant frames).
    func testAQuietIntervalLeavesTheLatencyGauges() throws {
        let metrics = TestMetrics()
        let recorder = TelemetryRecorder()
        let reporter = TelemetryReporter(recorder: recorder, interval: .seconds(3_600), metricsFactory: metrics)
        recorder.frameRead()
        reporter.stop()
        XCTAssertEqual(metrics.counterTotal(label: TelemetryMetrics.frames, dimensions: [("stage", "source")]), 1,
                       "a reporter stopped without starting still publishes the totals")
        XCTAssertEqual(try metrics.expectGauge(TelemetryMetrics.latency, [("quantile", "0.5")]).values, [])
        XCTAssertEqual(try metrics.expectGauge(TelemetryMetrics.latencyMax).values, [])
    }
}

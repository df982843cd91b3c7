import BackdropTestSupport
import BackdropCLI
import Foundation
import Logging
import Synchronization
import XCTest
@testable import BackdropPipeline

/// Telemetry: histogram and trend arithmetic, recorder intervals, the line/JSON formats other
/// tests parse, the reporter thread's lifecycle, and the no-allocation promise of the frame path.
final class TelemetryTests: XCTestCase {
    // MARK: LatencyHistogram

    func testHistogramPercentilesMatchSortedSamplesWithinItsResolution() {
        var random = TelemetrySeededRandom(seed: 42)
        var samples: [UInt64] = []
        for _ in 0..<20_000 {
            let roll = random.unit()
            let milliseconds: Double
            switch roll {
            case ..<0.01: milliseconds = 0.2 * random.unit()                 // below the fine range's 1 µs floor
            case ..<0.90: milliseconds = 30 + 20 * random.unit()             // the usual frame
            case ..<0.98: milliseconds = 60 + 200 * random.unit()            // slow frames
            case ..<0.998: milliseconds = 300 + 5_000 * random.unit()        // stalls
            default: milliseconds = 10_000 + 600_000 * random.unit()         // past the old 10 s overflow bucket
            }
            samples.append(UInt64(milliseconds * 1_000_000))
        }
        var histogram = LatencyHistogram()
        for sample in samples { histogram.record(nanoseconds: sample) }
        XCTAssertEqual(histogram.count, samples.count)

        let sorted = samples.sorted()
        for p in [0.5, 1, 10, 25, 50, 75, 90, 95, 99, 99.5, 99.9, 99.99] {
            let rank = max(1, Int((p * Double(sorted.count) / 100).rounded(.up)))
            let exact = Double(sorted[rank - 1]) / 1_000_000
            let estimate = histogram.percentile(p)
            let resolution = histogram.resolutionMilliseconds(atMilliseconds: exact)
            XCTAssertLessThanOrEqual(resolution, max(exact / 1_000, 0.001), "3 significant digits, 1 µs floor")
            XCTAssertLessThanOrEqual(abs(estimate - exact), resolution, "p\(p): \(estimate) ms vs exact \(exact) ms")
        }
        XCTAssertEqual(histogram.percentile(100), Double(sorted.last!) / 1_000_000, "the maximum is exact")
        XCTAssertEqual(histogram.maximumMilliseconds, Double(sorted.last!) / 1_000_000)

        histogram.reset()
        XCTAssertEqual(histogram.count, 0)
        XCTAssertEqual(histogram.percentile(50), 0)
        XCTAssertEqual(histogram.maximumMilliseconds, 0)
        XCTAssertEqual(histogram, LatencyHistogram())
    }

    func testHistogramEdges() {
        var histogram = LatencyHistogram()
        histogram.record(nanoseconds: 41_200_000)
        XCTAssertEqual(histogram.percentile(50), 41.2, accuracy: 1e-9, "a single sample is exact (capped at the maximum)")
        histogram.record(nanoseconds: 0)
        XCTAssertEqual(histogram.percentile(1), 0, accuracy: histogram.resolutionMilliseconds(atMilliseconds: 0), "within the first bucket")
        histogram.record(nanoseconds: 2 * LatencyHistogram.highestTrackableNanoseconds)
        XCTAssertEqual(histogram.count, 3, "a latency above an hour is still counted")
        XCTAssertEqual(histogram.maximumMilliseconds, 3_600_000, "as an hour")
        XCTAssertEqual(histogram.percentile(100), 3_600_000)
    }

    // MARK: RSSTrend

    func testRSSTrendSlopeOfNoisyLine() throws {
        var random = TelemetrySeededRandom(seed: 7)
        var trend = RSSTrend()
        let bytesPerSecond = 10 * RSSTrend.bytesPerMegabyte / 3600  // 10 MB/h
        for second in 0..<3_600 {
            let warmUpGrowth = second < 60 ? Double(second) * 2_000_000 : 120_000_000  // start-up: +2 MB/s
            let noise = (random.unit() - 0.5) * 4_000_000                                // ±2 MB
            let bytes = 150_000_000 + warmUpGrowth + bytesPerSecond * Double(second) + noise
            trend.record(seconds: 1_000 + Double(second), bytes: Int(bytes))
        }
        XCTAssertEqual(trend.count, 3_600)
        let slope = try XCTUnwrap(trend.slopeMegabytesPerHour(after: 60))
        XCTAssertEqual(slope, 10, accuracy: 0.5)
        let withStartUp = try XCTUnwrap(trend.slopeMegabytesPerHour(after: 0))
        XCTAssertGreaterThan(withStartUp, 13, "without the warm-up, start-up growth reads as a leak")
        XCTAssertNil(trend.slopeMegabytesPerHour(after: 3_598), "fewer than 3 samples after the warm-up")
        XCTAssertGreaterThan(trend.peakBytes, 270_000_000)
    }

    func testRSSSlopeIsUnknownUntilItsSamplesSpanAMinute() throws {
        // 13 s of samples, 10 of them warm-up, falling 8 MB in the last 3 s: as a line extrapolated
        // to an hour that read -9,625 MB/h; the recorder says n/a until the fit spans a minute.
        let recorder = TelemetryRecorder(now: 0)
        for second in 0...13 { recorder.sampleRSS(bytes: 300_000_000 - max(0, second - 10) * 2_700_000, now: Double(second)) }
        let early = recorder.snapshot(now: 13)
        XCTAssertNil(early.rssSlopeMegabytesPerHour)
        XCTAssertTrue(early.line().contains("slope n/a"), early.line())
        for second in 14...75 { recorder.sampleRSS(bytes: 292_000_000, now: Double(second)) }
        XCTAssertNotNil(recorder.snapshot(now: 75).rssSlopeMegabytesPerHour, "65 s after the warm-up: the fit spans more than 60 s")
    }

    func testRSSTrendRingOverwritesOldest() throws {
        var trend = RSSTrend(capacity: 16)
        XCTAssertNil(trend.slopeMegabytesPerHour(after: 0))
        trend.record(seconds: 0, bytes: 900_000_000)  // a spike, overwritten later but still the peak
        for second in 1..<100 { trend.record(seconds: Double(second), bytes: 100_000_000 + second * 1_000) }
        XCTAssertEqual(trend.count, 16)
        XCTAssertEqual(trend.latestBytes, 100_099_000)
        XCTAssertEqual(trend.peakBytes, 900_000_000)
        // 1,000 bytes a second = 3.6 MB/h, over the 16 newest samples only (the spike is gone).
        XCTAssertEqual(try XCTUnwrap(trend.slopeMegabytesPerHour(after: 0)), 3.6, accuracy: 1e-6)
    }

    // MARK: TelemetryRecorder

    func testRecorderCountsAndIntervalRates() {
        let recorder = TelemetryRecorder(now: 100, rssWarmupSeconds: 0, rssMinimumSpanSeconds: 0)
        for _ in 0..<150 { recorder.frameRead() }
        for _ in 0..<148 { recorder.frameProcessed() }
        for index in 0..<145 { recorder.frameOutput(latencyNanoseconds: UInt64(40_000_000 + index * 10_000)) }
        for _ in 0..<2 { recorder.dropped(at: .inference, because: .replacedByNewer) }
        recorder.dropped(at: .source, because: .rateCap)
        recorder.poolUse(inUse: 5, capacity: 7)
        recorder.poolUse(inUse: 3, capacity: 7)
        recorder.instanceSwapped(task: "face-landmarker")
        for second in 0..<5 { recorder.sampleRSS(bytes: 200_000_000 + second * 1_000_000, now: 100 + Double(second)) }

        let first = recorder.snapshot(now: 105)
        XCTAssertEqual(first.interval.seconds, 5)
        XCTAssertEqual(first.interval.inputFPS, 30)
        XCTAssertEqual(first.interval.processedFPS, 29.6)
        XCTAssertEqual(first.interval.outputFPS, 29)
        XCTAssertEqual(first.interval.framesDropped, 3)
        XCTAssertEqual(first.interval.drops(at: .inference, because: .replacedByNewer), 2)
        XCTAssertEqual(first.interval.drops, [
            DropCount(stage: .source, reason: .rateCap, count: 1),
            DropCount(stage: .inference, reason: .replacedByNewer, count: 2),
        ])
        XCTAssertEqual(first.interval.latencyP50Milliseconds, 40.72, accuracy: 0.04, "rank 73 of 145, within 0.1%")
        XCTAssertEqual(first.interval.latencyP99Milliseconds, 41.43, accuracy: 0.04, "rank 144 of 145")
        XCTAssertEqual(first.interval.latencyMaxMilliseconds, 41.44, "the maximum is exact")
        XCTAssertEqual(first.interval.swaps, 1)
        XCTAssertEqual(first.interval.swapsByTask, [SwapCount(task: .faceLandmarker, count: 1)])
        XCTAssertEqual(first.poolInUse, 3)
        XCTAssertEqual(first.poolCapacity, 7)
        XCTAssertEqual(first.poolPeakInUse, 5)
        XCTAssertEqual(first.rssMegabytes, 204)
        XCTAssertEqual(first.rssPeakMegabytes, 204)
        XCTAssertEqual(first.rssSlopeMegabytesPerHour ?? 0, 3_600, accuracy: 1e-6)  // 1 MB/s
        XCTAssertEqual(first.run, first.interval, "the first interval is the whole run so far")

        // A quiet second interval: its rates are zero, the run's are averaged over both.
        recorder.dropped(at: .sink, because: .replacedByNewer)
        let second = recorder.snapshot(now: 110)
        XCTAssertEqual(second.interval.seconds, 5)
        XCTAssertEqual(second.interval.framesRead, 0)
        XCTAssertEqual(second.interval.inputFPS, 0)
        XCTAssertEqual(second.interval.latencyP50Milliseconds, 0)
        XCTAssertEqual(second.interval.drops, [DropCount(stage: .sink, reason: .replacedByNewer, count: 1)])
        XCTAssertEqual(second.interval.swaps, 0)
        XCTAssertEqual(second.poolPeakInUse, 3, "the peak restarts from the current use")
        XCTAssertEqual(second.run.seconds, 10)
        XCTAssertEqual(second.run.framesRead, 150)
        XCTAssertEqual(second.run.inputFPS, 15)
        XCTAssertEqual(second.run.framesDropped, 4)
        XCTAssertEqual(second.run.swaps, 1)
        XCTAssertEqual(second.run.latencyP50Milliseconds, first.interval.latencyP50Milliseconds)
        XCTAssertEqual(recorder.totals(now: 110), second.run)
    }

    func testDropsAppearInLineAndJSON() throws {
        let recorder = TelemetryRecorder(now: 0)
        recorder.dropped(at: .inference, because: .replacedByNewer)
        _ = recorder.snapshot(now: 5)
        for _ in 0..<11 { recorder.dropped(at: .inference, because: .replacedByNewer) }
        for _ in 0..<3 { recorder.dropped(at: .source, because: .poolExhausted) }
        let snapshot = recorder.snapshot(now: 10)
        let line = snapshot.line()
        XCTAssertTrue(line.contains("| drops 14: source/pool-exhausted 3, inference/replaced-by-newer 11 "
                                    + "(total 15: source/pool-exhausted 3, inference/replaced-by-newer 12) |"), line)
        XCTAssertTrue(snapshot.summary().contains("| drops 15: source/pool-exhausted 3, inference/replaced-by-newer 12 |"))

        let object = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(snapshot.json().utf8)) as? [String: Any])
        let run = try XCTUnwrap(object["run"] as? [String: Any])
        let drops = try XCTUnwrap(run["drops"] as? [[String: Any]])
        XCTAssertEqual(drops.count, 2)
        XCTAssertEqual(drops[1]["stage"] as? String, "inference")
        XCTAssertEqual(drops[1]["reason"] as? String, "replaced-by-newer")
        XCTAssertEqual(drops[1]["count"] as? Int, 12)
    }

    // MARK: Formats

    func testLineParsesBackToTheSnapshot() throws {
        let snapshot = Self.busySnapshot()
        let line = snapshot.line()
        let fields = try XCTUnwrap(Self.match(TelemetrySnapshot.linePattern, in: line), line)
        func number(_ name: String) throws -> Double { try XCTUnwrap(Double(XCTUnwrap(fields[name], name)), name) }
        func count(_ name: String) throws -> Int { try XCTUnwrap(Int(XCTUnwrap(fields[name], name)), name) }

        XCTAssertEqual(try number("inFPS"), snapshot.interval.inputFPS, accuracy: 0.05)
        XCTAssertEqual(try number("processedFPS"), snapshot.interval.processedFPS, accuracy: 0.05)
        XCTAssertEqual(try number("outFPS"), snapshot.interval.outputFPS, accuracy: 0.05)
        XCTAssertEqual(try number("p50"), snapshot.interval.latencyP50Milliseconds, accuracy: 0.05)
        XCTAssertEqual(try number("p95"), snapshot.interval.latencyP95Milliseconds, accuracy: 0.05)
        XCTAssertEqual(try number("p99"), snapshot.interval.latencyP99Milliseconds, accuracy: 0.05)
        XCTAssertEqual(try count("drops"), snapshot.interval.framesDropped)
        XCTAssertEqual(try count("dropsTotal"), snapshot.run.framesDropped)
        XCTAssertEqual(try Self.dropEntries(XCTUnwrap(fields["dropList"])), snapshot.interval.drops)
        XCTAssertEqual(try Self.dropEntries(XCTUnwrap(fields["dropTotalList"])), snapshot.run.drops)
        XCTAssertEqual(try number("rss"), snapshot.rssMegabytes, accuracy: 0.05)
        XCTAssertEqual(try number("rssPeak"), snapshot.rssPeakMegabytes, accuracy: 0.05)
        XCTAssertEqual(try number("slope"), try XCTUnwrap(snapshot.rssSlopeMegabytesPerHour), accuracy: 0.05)
        XCTAssertEqual(try count("poolInUse"), snapshot.poolInUse)
        XCTAssertEqual(try count("poolCapacity"), snapshot.poolCapacity)
        XCTAssertEqual(try count("poolPeak"), snapshot.poolPeakInUse)
        XCTAssertEqual(try count("swaps"), snapshot.interval.swaps)
        XCTAssertEqual(try count("swapsTotal"), snapshot.run.swaps)
        XCTAssertEqual(fields["swapList"], "segmenter 1, face-landmarker 1")
        XCTAssertEqual(try count("framesRead"), snapshot.run.framesRead)
        XCTAssertEqual(try count("framesProcessed"), snapshot.run.framesProcessed)
        XCTAssertEqual(try count("framesOutput"), snapshot.run.framesOutput)
        XCTAssertEqual(try count("framesDropped"), snapshot.run.framesDropped)
        XCTAssertEqual(try number("seconds"), snapshot.interval.seconds, accuracy: 0.05)

        // The exit summary parses the same way, with the run's figures.
        let summary = snapshot.summary()
        let totals = try XCTUnwrap(Self.match(TelemetrySnapshot.summaryPattern, in: summary), summary)
        XCTAssertEqual(try XCTUnwrap(Double(XCTUnwrap(totals["inFPS"]))), snapshot.run.inputFPS, accuracy: 0.05)
        XCTAssertEqual(try XCTUnwrap(Double(XCTUnwrap(totals["p99"]))), snapshot.run.latencyP99Milliseconds, accuracy: 0.05)
        XCTAssertEqual(try Self.dropEntries(XCTUnwrap(totals["dropList"])), snapshot.run.drops)
        XCTAssertEqual(totals["swaps"], "2")
        XCTAssertEqual(try XCTUnwrap(Double(XCTUnwrap(totals["seconds"]))), snapshot.run.seconds, accuracy: 0.05)

        // A quiet start: no drops, no slope yet.
        let quiet = TelemetryRecorder(now: 0).snapshot(now: 5)
        let quietFields = try XCTUnwrap(Self.match(TelemetrySnapshot.linePattern, in: quiet.line()), quiet.line())
        XCTAssertNil(quietFields["slope"])
        XCTAssertNil(quietFields["dropList"])
        XCTAssertTrue(quiet.line().contains("| drops 0 (total 0) | rss 0.0 MB peak 0.0 MB slope n/a | pool 0/0 peak 0 | swaps 0 (total 0) |"),
                      quiet.line())
        XCTAssertNotNil(Self.match(TelemetrySnapshot.summaryPattern, in: quiet.summary()), quiet.summary())
        XCTAssertFalse(quiet.summary().contains("ended early"), quiet.summary())
    }

    /// An input that ended short of what it declares is in the summary (parsed back by
    /// `summaryPattern`), the JSON and the log metadata; the periodic line leaves it out.
    func testInputThatEndedEarlyIsInTheSummaryAndTheJSON() throws {
        let recorder = TelemetryRecorder(now: 0)
        for _ in 0..<24 { recorder.frameRead() }
        recorder.inputEndedEarly(framesDecoded: 24, framesDeclared: 75)
        let snapshot = recorder.snapshot(now: 2)
        XCTAssertEqual(snapshot.inputEndedEarly, InputEndedEarly(framesDecoded: 24, framesDeclared: 75))
        let summary = snapshot.summary()
        XCTAssertTrue(summary.hasSuffix("| input ended early: decoded 24 of 75 declared frames (truncated?)"), summary)
        let fields = try XCTUnwrap(Self.match(TelemetrySnapshot.summaryPattern, in: summary), summary)
        XCTAssertEqual(fields["framesDecoded"], "24")
        XCTAssertEqual(fields["framesDeclared"], "75")
        XCTAssertEqual(fields["framesRead"], "24")
        XCTAssertNotNil(Self.match(TelemetrySnapshot.linePattern, in: snapshot.line()), snapshot.line())
        XCTAssertFalse(snapshot.line().contains("ended early"))

        let json = snapshot.json()
        XCTAssertTrue(json.contains(#""input_ended_early":{"frames_declared":75,"frames_decoded":24}"#), json)
        XCTAssertEqual(try JSONDecoder().decode(TelemetrySnapshot.self, from: Data(json.utf8)), snapshot)
        guard case let .dictionary(telemetry)? = snapshot.logMetadata()["telemetry"],
              case let .dictionary(early)? = telemetry["input_ended_early"] else {
            return XCTFail("no input_ended_early in the log metadata")
        }
        XCTAssertEqual(early["frames_decoded"]?.description, "24")
        XCTAssertEqual(early["frames_declared"]?.description, "75")
    }

    func testJSONHasStableKeysAndRoundTrips() throws {
        let expectedFigureKeys: Set = ["seconds", "frames_read", "frames_processed", "frames_output", "frames_dropped", "frames_failed",
                                       "in_fps", "processed_fps", "out_fps", "latency_p50_ms", "latency_p95_ms",
                                       "latency_p99_ms", "latency_max_ms", "drops", "swaps", "swaps_by_task"]
        let expectedKeys: Set = ["interval", "run", "rss_mb", "rss_peak_mb", "rss_slope_mb_per_hour",
                                 "pool_in_use", "pool_capacity", "pool_peak_in_use", "input_ended_early"]
        for snapshot in [Self.busySnapshot(), TelemetryRecorder(now: 0).snapshot(now: 1)] {
            let json = snapshot.json()
            XCTAssertFalse(json.contains("\n"), "one line")
            let object = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any])
            XCTAssertEqual(Set(object.keys), expectedKeys)
            XCTAssertEqual(Set(try XCTUnwrap(object["interval"] as? [String: Any]).keys), expectedFigureKeys)
            XCTAssertEqual(Set(try XCTUnwrap(object["run"] as? [String: Any]).keys), expectedFigureKeys)
            XCTAssertEqual(try JSONDecoder().decode(TelemetrySnapshot.self, from: Data(json.utf8)), snapshot)
        }
        let busy = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(Self.busySnapshot().json().utf8)) as? [String: Any])
        XCTAssertEqual(try XCTUnwrap((busy["interval"] as? [String: Any])?["in_fps"] as? Double), 29.8, accuracy: 1e-9)
        let quiet = TelemetryRecorder(now: 0).snapshot(now: 1).json()
        XCTAssertTrue(quiet.contains(#""rss_slope_mb_per_hour":null"#), quiet)
        XCTAssertTrue(quiet.contains(#""input_ended_early":null"#), quiet)
    }

    // MARK: TelemetryReporter

    func testReporterSnapshotsPeriodicallyAndStopsPromptly() throws {
        let seen = Mutex<[TelemetrySnapshot]>([])
        let recorder = TelemetryRecorder()
        let pipe = Pipe()
        let logger = Logger(label: "backdrop.telemetry") { JSONLogHandler(label: $0, fileHandle: pipe.fileHandleForWriting) }
        let reporter = TelemetryReporter(recorder: recorder, interval: .milliseconds(200), rssSampleInterval: .milliseconds(50), logger: logger) { snapshot in
            seen.withLock { $0.append(snapshot) }
        }
        reporter.start()
        reporter.start()  // a second start does nothing
        let deadline = Date().addingTimeInterval(3)
        while seen.withLock({ $0.count }) < 2 && Date() < deadline {
            for _ in 0..<10 { recorder.frameRead(); recorder.frameProcessed(); recorder.frameOutput(latencyNanoseconds: 30_000_000) }
            Thread.sleep(forTimeInterval: 0.02)
        }
        let stopping = Date()
        let last = reporter.stop()
        let stopSeconds = Date().timeIntervalSince(stopping)
        XCTAssertLessThan(stopSeconds, 0.5, "stop wakes the thread instead of waiting out the interval")

        let snapshots = seen.withLock { $0 }
        XCTAssertGreaterThanOrEqual(snapshots.count, 2)
        for snapshot in snapshots {
            XCTAssertEqual(snapshot.interval.seconds, 0.2, accuracy: 0.15, "about one interval (late wake-ups on a busy machine allowed)")
            XCTAssertGreaterThan(snapshot.rssMegabytes, 1, "the reporter samples resident memory")
        }
        XCTAssertGreaterThan(snapshots[1].interval.inputFPS, 0)
        XCTAssertEqual(last.run.framesRead, recorder.totals().framesRead)
        XCTAssertEqual(reporter.stop(), last, "stopping again returns the same summary")
        Thread.sleep(forTimeInterval: 0.3)
        XCTAssertEqual(seen.withLock { $0.count }, snapshots.count, "no snapshots after stop")

        try pipe.fileHandleForWriting.close()
        let lines = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self).split(separator: "\n")
        XCTAssertEqual(lines.count, snapshots.count + 1, "one line per snapshot plus the summary")
        for line in lines.dropLast() {
            let object = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
            XCTAssertNotNil(Self.match(TelemetrySnapshot.linePattern, in: try XCTUnwrap(object["message"] as? String)))
        }
        let summary = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(lines.last!.utf8)) as? [String: Any])
        XCTAssertEqual(summary["message"] as? String, "telemetry summary: " + last.summary())
    }

    // MARK: Allocation

    func testRecordingDoesNotAllocate() throws {
        #if canImport(Glibc)
        guard let counters = AllocationCounters.loaded() else {
            // Counting needs the malloc interposer loaded at start-up: run this test again with it.
            let child = try AllocationCounters.rerunPreloaded("BackdropPipelineTests.TelemetryTests/testRecordingDoesNotAllocate",
                                                              checkout: PipelineTestCase.root)
            print(child.stdout.split(separator: "\n").filter { $0.hasPrefix("telemetry:") }.joined(separator: "\n"))
            XCTAssertTrue(AllocationCounters.passed(child), "the counted run failed:\n\(child.stdout)\n\(child.errors)")
            return
        }
        let recorder = TelemetryRecorder(now: 0)
        // Latencies over the histogram's whole range and past it: 0, sub-microsecond, every power
        // of two up to ~1.2 hours (the last ones capped), and the usual 20-70 ms.
        let latencies: [UInt64] = [0, 700] + (10..<43).map { UInt64(1) << $0 } + (0..<1_000).map { 20_000_000 + UInt64($0) * 50_000 }
        func record(_ index: Int) {
            recorder.frameRead()
            recorder.frameProcessed()
            if index % 2 == 0 {
                recorder.frameOutput(latencyNanoseconds: latencies[index % latencies.count])
            } else {
                recorder.frameOutput(latency: .nanoseconds(Int64(latencies[index % latencies.count])))
            }
            recorder.dropped(at: PipelineStage(rawValue: index % 4)!, because: DropReason(rawValue: index % 3)!)
            recorder.poolUse(inUse: index % 6, capacity: 6)
            if index % 1_000 == 0 { recorder.instanceSwapped(task: .segmenter) }
        }
        record(0)  // first use initializes the recorder's statics
        _ = recorder.snapshot(now: 1)  // and a snapshot must leave the storage unshared
        record(1)

        // Control: the counters do see an allocation that is freed again at once.
        let control = counters.countSwiftAllocations { blackHole([Int](repeating: 1, count: 64)) }
        XCTAssertGreaterThanOrEqual(control, 1, "the counters see a freed array")

        let allocations = counters.countSwiftAllocations { for index in 0..<100_000 { record(index) } }
        print("telemetry: 100,000 frames (500,100 recording calls): \(allocations) Swift heap allocations (control: \(control))")
        XCTAssertEqual(allocations, 0)
        XCTAssertEqual(recorder.totals(now: 2).framesOutput, 100_002)

        // Snapshots may allocate, but must not leave the next frame to copy shared storage.
        _ = recorder.snapshot(now: 2)
        XCTAssertEqual(counters.countSwiftAllocations { record(7) }, 0)

        // The histogram on its own: recording across the range and resetting (once an interval) reuse its storage.
        var histogram = LatencyHistogram()
        histogram.record(nanoseconds: 1)
        let histogramAllocations = counters.countSwiftAllocations {
            for round in 0..<10 {
                // An index loop: a debug build's for-in over the captured array allocates by itself.
                for index in latencies.indices { histogram.record(nanoseconds: latencies[index] &+ UInt64(round)) }
                histogram.reset()
            }
        }
        print("telemetry: LatencyHistogram, \(10 * latencies.count) records and 10 resets: \(histogramAllocations) Swift heap allocations")
        XCTAssertEqual(histogramAllocations, 0)
        #endif
    }

    // MARK: Helpers

    /// A snapshot with every figure non-trivial: drops in both spans, swaps, slope, pool.
    static func busySnapshot() -> TelemetrySnapshot {
        let recorder = TelemetryRecorder(now: 50, rssWarmupSeconds: 0, rssMinimumSpanSeconds: 0)
        for _ in 0..<20 { recorder.dropped(at: .inference, because: .replacedByNewer) }
        recorder.instanceSwapped(task: .segmenter)
        _ = recorder.snapshot(now: 55)
        for index in 0..<149 {
            recorder.frameRead()
            recorder.frameProcessed()
            recorder.frameOutput(latencyNanoseconds: UInt64(38_000_000 + (index % 30) * 500_000))
        }
        for _ in 0..<3 { recorder.dropped(at: .inference, because: .replacedByNewer) }
        recorder.dropped(at: .sink, because: .replacedByNewer)
        recorder.instanceSwapped(task: .faceLandmarker)
        recorder.poolUse(inUse: 3, capacity: 6)
        for second in 0..<10 { recorder.sampleRSS(bytes: 182_400_000 + second * 83, now: 50 + Double(second)) }
        return recorder.snapshot(now: 60)
    }

    /// Named groups of `pattern`'s match in `text` (absent groups left out), or nil without a match.
    static func match(_ pattern: String, in text: String) -> [String: String]? {
        guard let regex = try? NSRegularExpression(pattern: pattern),
              let found = regex.firstMatch(in: text, range: NSRange(text.startIndex..., in: text)) else { return nil }
        var names: [String] = []
        if let nameRegex = try? NSRegularExpression(pattern: #"\(\?<([A-Za-z][A-Za-z0-9]*)>"#) {
            for hit in nameRegex.matches(in: pattern, range: NSRange(pattern.startIndex..., in: pattern)) {
                if let range = Range(hit.range(at: 1), in: pattern) { names.append(String(pattern[range])) }
            }
        }
        var fields: [String: String] = [:]
        for name in names {
            if let range = Range(found.range(withName: name), in: text) { fields[name] = String(text[range]) }
        }
        return fields
    }

    /// Drop entries parsed from a "stage/reason count, ..." list.
    static func dropEntries(_ list: String) -> [DropCount] {
        list.components(separatedBy: ", ").compactMap { entry in
            guard let fields = match("^" + TelemetrySnapshot.dropEntryPattern + "$", in: entry),
                  let stage = PipelineStage.allCases.first(where: { $0.description == fields["stage"] }),
                  let reason = DropReason.allCases.first(where: { $0.description == fields["reason"] }),
                  let count = fields["count"].flatMap({ Int($0) }) else { return nil }
            return DropCount(stage: stage, reason: reason, count: count)
        }
    }
}

@inline(never)
private func blackHole<T>(_ value: T) { withExtendedLifetime(value) {} }

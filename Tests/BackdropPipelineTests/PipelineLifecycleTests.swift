import BackdropCore
import BackdropEffects
import BackdropMedia
import BackdropMediaPipe
import BackdropPipeline
import BackdropTestSupport
import Foundation
import Metrics
import MetricsTestKit
import ServiceLifecycle
import XCTest

/// How an app runs a pipeline: async, cancelled, in a service group, once; and what it is told
/// when a stage fails.
final class PipelineLifecycleTests: PipelineTestCase {
    /// The talking head, offline, into a lossless file; faces off (these tests are about the run, not the landmarks).
    private func fileRun(_ name: String, settings: PipelineSettings = PipelineSettings(faces: false)) throws -> Pipeline {
        let source = try FFmpegVideoSource(url: Self.talkingHeadClip)
        let sink = try VideoFileSink(path: path(name), width: source.width, height: source.height, frameRate: 25, codec: .lossless)
        return try Pipeline(source: source, sinks: [sink],
                            configuration: PipelineConfiguration(mode: .offline, settings: settings, statsInterval: .seconds(60)))
    }

    func testCancellingTheRunsTaskStopsItAndFinalizesTheOutput() async throws {
        let pipeline = try fileRun("cancelled.mkv")
        let running = Task { try await pipeline.run() }
        XCTAssertTrue(poll(timeout: 120) { pipeline.framesOutput >= 10 }, "the run gets going")
        running.cancel()
        try await running.value
        let summary = try XCTUnwrap(pipeline.summary)
        XCTAssertTrue(pipeline.isFinished)
        XCTAssertLessThan(summary.run.framesOutput, TestMedia.talkingHeadFrames, "cancelled before the end")
        XCTAssertGreaterThanOrEqual(summary.run.framesOutput, 10)
        XCTAssertEqual(try count(path("cancelled.mkv")).video, summary.run.framesOutput,
                       "the file is finalized in place and holds every frame the summary counts")
    }

    func testAServiceGroupsGracefulShutdownFinalizesTheOutput() async throws {
        let pipeline = try fileRun("service.mkv")
        let group = ServiceGroup(services: [pipeline], logger: .init(label: "test"))
        let running = Task { try await group.run() }
        XCTAssertTrue(poll(timeout: 120) { pipeline.framesOutput >= 10 }, "the run gets going")
        await group.triggerGracefulShutdown()
        try await running.value
        let summary = try XCTUnwrap(pipeline.summary)
        XCTAssertLessThan(summary.run.framesOutput, TestMedia.talkingHeadFrames, "shut down before the end")
        XCTAssertEqual(try count(path("service.mkv")).video, summary.run.framesOutput)
    }

    func testAPipelineRunsOnceAndASecondRunIsATypedError() async throws {
        let source = try SyntheticSource(width: 64, height: 48, frameRate: 30, frameCount: 400, pacing: .realTime)
        let pipeline = try Pipeline(source: source, sinks: [], configuration: PipelineConfiguration(
            mode: .live, settings: PipelineSettings(effect: .none, faces: false), statsInterval: .seconds(60)))
        let first = Task { try await pipeline.run() }
        XCTAssertTrue(poll(timeout: 60) { pipeline.framesOutput > 0 })
        do {
            try await pipeline.run()
            XCTFail("a concurrent run must fail")
        } catch {
            guard case .alreadyStarted = error else { return XCTFail("\(error)") }
        }
        pipeline.stop()
        try await first.value
        XCTAssertThrowsError(try pipeline.runBlocking()) { error in
            guard case PipelineError.alreadyStarted = error else { return XCTFail("\(error)") }
        }
    }

    func testAFailingSinkStopsTheRunWithAnErrorNamingTheSinkStageAndEveryFrameIsCounted() throws {
        let source = try SyntheticSource(width: 64, height: 48, frameRate: 30, frameCount: 60)
        let pipeline = try Pipeline(source: source, sinks: [FailingSink(failAt: 5)], configuration: PipelineConfiguration(
            mode: .offline, settings: PipelineSettings(effect: .none, faces: false), statsInterval: .seconds(60)))
        XCTAssertThrowsError(try pipeline.runBlocking()) { error in
            guard case PipelineError.stageFailed(let stage, let underlying) = error else { return XCTFail("\(error)") }
            XCTAssertEqual(stage, .sink)
            XCTAssertTrue("\(underlying)".contains("disk full"), "\(underlying)")
            XCTAssertTrue("\(error)".hasPrefix("the sink stage failed"), "\(error)")
        }
        let run = try XCTUnwrap(pipeline.summary).run
        XCTAssertEqual(run.framesOutput, 5, "the frames before the failure")
        XCTAssertEqual(run.framesFailed, 1, "the frame the sink could not write is lost to the failure")
        XCTAssertEqual(run.framesRead, run.framesOutput + run.framesDropped + run.framesFailed,
                       "every frame read is output, dropped or failed")
        let line = try XCTUnwrap(pipeline.summary).summary()
        XCTAssertTrue(line.contains("out 5 dropped \(run.framesDropped) failed 1"), line)
        let pattern = try NSRegularExpression(pattern: TelemetrySnapshot.summaryPattern)
        let match = try XCTUnwrap(pattern.firstMatch(in: line, range: NSRange(line.startIndex..., in: line)), line)
        XCTAssertEqual((line as NSString).substring(with: match.range(withName: "framesFailed")), "1")
    }

    func testAFrameInferenceFailsOnIsCountedAsFailedAndTheErrorNamesTheInferenceStage() throws {
        let source = BrokenFrameSource(frames: 30, brokenAt: 6)
        let pipeline = try Pipeline(source: source, sinks: [], configuration: PipelineConfiguration(
            mode: .offline, settings: PipelineSettings(effect: .none, faces: false), statsInterval: .seconds(60)))
        XCTAssertThrowsError(try pipeline.runBlocking()) { error in
            guard case PipelineError.stageFailed(.inference, let underlying) = error else { return XCTFail("\(error)") }
            XCTAssertTrue(underlying is MediaPipeError, "\(underlying)")
        }
        let run = try XCTUnwrap(pipeline.summary).run
        XCTAssertEqual(run.framesFailed, 1, "the 0x0 frame MediaPipe refused")
        // Frames behind the failing one in the hand-offs may be discarded once the run has failed.
        XCTAssertLessThanOrEqual(run.framesOutput, 6, "at most the frames before it")
        XCTAssertEqual(run.framesRead, run.framesOutput + run.framesDropped + run.framesFailed,
                       "every frame read is output, dropped or failed")
    }

    func testResultsReachEverySubscriberAndAStreamAfterTheRunEndsAtOnce() async throws {
        let source = try SyntheticSource(width: 96, height: 64, frameRate: 30, frameCount: 30)
        let pipeline = try Pipeline(source: source, sinks: [], configuration: PipelineConfiguration(
            mode: .offline, settings: PipelineSettings(effect: .none, faces: false), statsInterval: .seconds(60)))
        let first = pipeline.results(bufferingNewest: 100), second = pipeline.results(bufferingNewest: 100)
        let slow = pipeline.results(bufferingNewest: 1)  // never read until the end: keeps only the newest
        try await pipeline.run()
        var firstIndices: [Int] = [], secondIndices: [Int] = [], slowIndices: [Int] = []
        for await result in first { firstIndices.append(result.index) }
        for await result in second { secondIndices.append(result.index) }
        for await result in slow { slowIndices.append(result.index) }
        XCTAssertEqual(firstIndices, Array(0..<30))
        XCTAssertEqual(secondIndices, Array(0..<30))
        XCTAssertEqual(slowIndices, [29], "a one-result buffer holds the newest")
        XCTAssertEqual(pipeline.resultsDropped, 29, "what the full buffer pushed out is counted")
        var late = 0
        for await _ in pipeline.results() { late += 1 }
        XCTAssertEqual(late, 0, "a stream asked for after the run ends at once")
    }
}

/// Small frames, one of them empty (0x0), which MediaPipe refuses.
private final class BrokenFrameSource: VideoSource {
    let name = "broken frames"
    let width = 64, height = 48
    let frameRate: Double? = 30
    let audioTrack: (any AudioTrackDescription)? = nil
    var audioHandler: ((any MediaPacket) -> Void)?
    private(set) var statistics = SourceStatistics()
    private let frames: Int, brokenAt: Int
    init(frames: Int, brokenAt: Int) { self.frames = frames; self.brokenAt = brokenAt }
    func read(into frame: inout VideoFrame) throws(MediaError) -> Bool {
        let index = statistics.framesDelivered
        guard index < frames else { return false }
        let side = index == brokenAt ? (0, 0) : (width, height)
        frame = VideoFrame(image: PixelImage(width: side.0, height: side.1, format: .rgb))
        frame.index = index
        frame.timestampMicroseconds = Int64(index) * 33_333
        statistics.framesDelivered += 1
        return true
    }
    func close() {}
}

/// A sink that takes `failAt` frames, then fails as a full disk would.
private final class FailingSink: VideoSink {
    let name = "failing sink"
    private let failAt: Int
    private var written = 0
    init(failAt: Int) { self.failAt = failAt }
    func write(_ frame: VideoFrame) throws(MediaError) {
        if written == failAt { throw .writeFailed(path: name, reason: "disk full") }
        written += 1
    }
    func finish() throws(MediaError) {}
}

/// The telemetry of a real run reaches the app's metrics backend.
final class PipelineMetricsTests: PipelineTestCase {
    func testARunsMetricsReachTheGivenBackendAndMatchItsFrameCounts() async throws {
        let metrics = TestMetrics()
        let source = try SyntheticSource(width: 96, height: 64, frameRate: 30, frameCount: 40, pacing: .realTime)
        let pipeline = try Pipeline(source: source, sinks: [], configuration: PipelineConfiguration(
            mode: .live, settings: PipelineSettings(effect: .none, faces: false, maxFPS: 20), statsInterval: .milliseconds(300)),
            metricsFactory: metrics)
        try await pipeline.run()
        let run = try XCTUnwrap(pipeline.summary).run
        func frames(_ stage: String) throws -> Int64 {
            try metrics.expectCounter("backdrop_frames_total", [("stage", stage)]).totalValue
        }
        XCTAssertEqual(try frames("source"), Int64(run.framesRead))
        XCTAssertEqual(try frames("sink"), Int64(run.framesOutput))
        let rateCapped = try metrics.expectCounter("backdrop_frames_dropped_total", [("stage", "source"), ("reason", "rate-cap")])
        XCTAssertEqual(rateCapped.totalValue, Int64(run.drops.first { $0.stage == .source && $0.reason == .rateCap }?.count ?? 0))
        XCTAssertGreaterThan(rateCapped.totalValue, 5, "a 30 FPS source capped at 20 drops about a third of 40 frames (need > 5)")
        XCTAssertGreaterThan(try metrics.expectGauge("backdrop_rss_bytes").lastValue ?? 0, 10_000_000, "RSS in bytes")
        XCTAssertGreaterThan(try metrics.expectCounter("backdrop_frames_total", [("stage", "source")]).values.count, 2,
                             "published each interval during the run, not only at its end (need > 2 of ~4)")
    }
}

import BackdropCore
import BackdropEffects
import BackdropMedia
import BackdropMediaPipe
import BackdropPipeline
import BackdropTestSupport
import Foundation
import XCTest

final class PipelineTests: PipelineTestCase {
    func testOfflineModeOutputsEveryFrameOfTheRealClipAndKeepsItsAudio() throws {
        let input = try clipWithAudio()
        let expected = try count(input)
        XCTAssertEqual(expected.video, TestMedia.talkingHeadFrames)
        XCTAssertGreaterThan(expected.audio, 0)

        let source = try FFmpegVideoSource(url: input)
        let sink = try VideoFileSink(path: path("out.mkv"), width: source.width, height: source.height,
                                     frameRate: source.frameRate ?? 25, audio: source.audioTrack)
        let pipeline = try Pipeline(source: source, sinks: [sink],
                                    configuration: PipelineConfiguration(mode: .offline, statsInterval: .seconds(60)))
        let summary = try pipeline.runBlocking()

        let written = try count(path("out.mkv"))
        XCTAssertEqual(written.video, expected.video, "every input frame is output")
        XCTAssertEqual(written.audio, expected.audio, "every audio packet is passed through")
        XCTAssertEqual(summary.run.framesOutput, TestMedia.talkingHeadFrames)
        XCTAssertEqual(summary.run.framesDropped, 0)
    }

    func testLiveModeKeepsUpOrDropsCountingEachFrameWithBoundedLatencyAndMemory() async throws {
        // The synthetic camera delivers 720p at 60 FPS in real time. Whether this machine keeps up
        // or not, every frame is output or counted as dropped, and latency stays a few frame times.
        let source = try SyntheticSource(width: 1280, height: 720, frameRate: 60, frameCount: 240, pacing: .realTime)
        let sink = try VideoFileSink(path: path("live.mkv"), width: 1280, height: 720, frameRate: 60)
        // No effect: a debug build's 720p blur takes about a second a frame, which would leave a handful of frames to judge.
        var configuration = PipelineConfiguration(mode: .live, settings: PipelineSettings(effect: .none, maxFPS: 60),
                                                  processSize: .fixed(.init(width: 640, height: 360)), statsInterval: .seconds(60))
        configuration.concurrentInference = true
        let rssBefore = ProcessMemory.residentBytes()
        let pipeline = try Pipeline(source: source, sinks: [sink], configuration: configuration)
        let results = pipeline.results(bufferingNewest: 1000)
        let runner = Task.detached { try await pipeline.run(); return try XCTUnwrap(pipeline.summary) }
        var latencies: [Double] = []
        for await result in results { latencies.append(result.latencyMilliseconds) }
        let summary = try await runner.value
        let rssGrowth = ProcessMemory.residentBytes() - rssBefore
        let run = summary.run
        print("live: read \(run.framesRead), output \(run.framesOutput), dropped \(run.framesDropped) \(run.drops), "
              + "processed \(run.processedFPS) fps, p50 \(run.latencyP50Milliseconds) ms, p99 \(run.latencyP99Milliseconds) ms, "
              + "RSS growth \(rssGrowth / 1_000_000) MB")

        XCTAssertEqual(run.framesRead, 240)
        XCTAssertEqual(run.framesRead, run.framesOutput + run.framesDropped, "every frame is output or counted as dropped")
        XCTAssertEqual(run.drops.reduce(0) { $0 + $1.count }, run.framesDropped, "each drop has a stage and a reason")
        XCTAssertEqual(try count(path("live.mkv")).video, run.framesOutput)
        XCTAssertEqual(latencies.count, run.framesOutput, "a result for every frame output")
        XCTAssertGreaterThanOrEqual(latencies.count, 4, "enough frames to judge latency")
        // Each live hand-off holds one frame, so once MediaPipe has warmed up (its first calls are
        // slow) a frame waits behind at most one frame at each stage after the source: latency is a
        // few periods of the slowest stage, which sets the output rate, whatever the machine's
        // speed. A queue that grew would make the last frames wait for all the earlier ones.
        let period = 1000 / max(run.outputFPS, 0.001)
        let secondHalf = latencies.suffix(latencies.count / 2).sorted()
        let secondHalfP90 = secondHalf[secondHalf.count * 9 / 10]
        print("live: latency of the second half p90 \(secondHalfP90) ms, output period \(period) ms")
        XCTAssertLessThan(secondHalfP90, 8 * period, "second-half p90 latency must stay under 8 output periods")
        XCTAssertLessThan(rssGrowth, 400_000_000, "RSS bound for a 4 s 720p live run (bytes)")
    }

    func testMemoryGuardSwapsInstancesWithoutLosingFramesOrChangingTheOutput() throws {
        func run(swapEvery: Int?, output: String) throws -> TelemetrySnapshot {
            let source = try FFmpegVideoSource(url: Self.talkingHeadClip)
            let sink = try VideoFileSink(path: path(output), width: source.width, height: source.height, frameRate: 25, codec: .lossless)
            var configuration = PipelineConfiguration(mode: .offline, settings: PipelineSettings(faces: false), statsInterval: .seconds(60))
            configuration.memoryGuard = MemoryGuardPolicy(growthBudgetBytes: nil, maxFramesPerInstance: swapEvery, warmUpFrames: 5)
            return try Pipeline(source: source, sinks: [sink], configuration: configuration).runBlocking()
        }
        let plain = try run(swapEvery: nil, output: "plain.mkv")
        let swapped = try run(swapEvery: 40, output: "swapped.mkv")
        print("guard: swaps \(swapped.run.swaps) \(swapped.run.swapsByTask)")
        XCTAssertEqual(plain.run.swaps, 0)
        XCTAssertGreaterThanOrEqual(swapped.run.swaps, 3, "240 frames with a swap every 40 (state the need: >= 3)")
        XCTAssertEqual(swapped.run.framesOutput, TestMedia.talkingHeadFrames)
        XCTAssertEqual(swapped.run.framesDropped, 0)
        // Compare decoded frames (lossless, so exact), not container bytes.
        let plainFrames = try frameHashes(path("plain.mkv"))
        XCTAssertEqual(plainFrames.count, TestMedia.talkingHeadFrames)
        XCTAssertEqual(plainFrames, try frameHashes(path("swapped.mkv")), "the output does not depend on the swaps")
    }

    func testTelemetryLinesCarryFiguresConsistentWithTheFrameCounts() throws {
        let source = try SyntheticSource(width: 640, height: 360, frameRate: 30, frameCount: 60, pacing: .realTime)
        let lines = Locked<[String]>([])
        let pipeline = try Pipeline(source: source, sinks: [], configuration: PipelineConfiguration(mode: .live, statsInterval: .milliseconds(500))) {
            snapshot in lines.mutate { $0.append(snapshot.line()) }
        }
        let summary = try pipeline.runBlocking()
        let pattern = try NSRegularExpression(pattern: TelemetrySnapshot.linePattern)
        XCTAssertGreaterThanOrEqual(lines.value.count, 2, "a 2 s run with a 0.5 s interval")
        var lastRead = 0
        for line in lines.value {
            guard let match = pattern.firstMatch(in: line, range: NSRange(line.startIndex..., in: line)) else {
                return XCTFail("unparsable telemetry line: \(line)")
            }
            func number(_ name: String) -> Double { Double((line as NSString).substring(with: match.range(withName: name))) ?? -1 }
            let read = Int(number("framesRead")), output = Int(number("framesOutput")), dropped = Int(number("framesDropped"))
            XCTAssertGreaterThanOrEqual(read, lastRead, "running totals only grow")
            XCTAssertLessThanOrEqual(output + dropped, read, "no frame is output or dropped before it is read")
            XCTAssertGreaterThan(number("rss"), 10, "RSS is reported in MB")
            XCTAssertLessThanOrEqual(number("p50"), number("p99"))
            XCTAssertGreaterThan(number("inFPS"), 5, "a 30 FPS source reads at more than 5 FPS")
            lastRead = read
        }
        XCTAssertEqual(summary.run.framesRead, 60)
        XCTAssertEqual(summary.run.framesRead, summary.run.framesOutput + summary.run.framesDropped)
    }

    func testLibraryCallersGetAResultForEveryFrame() async throws {
        let source = try SyntheticSource(width: 320, height: 240, frameRate: 30, frameCount: 20)
        let pipeline = try Pipeline(source: source, sinks: [], configuration: PipelineConfiguration(mode: .offline, statsInterval: .seconds(60)))
        let results = pipeline.results(bufferingNewest: 100)
        let runner = Task.detached { try await pipeline.run() }
        var indices: [Int] = []
        for await result in results {
            XCTAssertEqual(result.mask.width, 320)
            XCTAssertEqual(result.mask.height, 240)
            indices.append(result.index)
        }
        _ = try await runner.value
        XCTAssertEqual(indices, Array(0..<20))
    }

    func testAudioLongerThanTheAudioHandoffWithoutVideoBesideItDoesNotHang() throws {
        // One video frame, then 100 s of 48 kHz AAC: ~4,700 audio packets with no video between
        // them, more than the pipeline's audio hand-off holds (4,096). The source used to block in
        // the full hand-off while the sink waited for a frame that never came (found while writing
        // the fuzzing harnesses; `backdrop run` hung at 0 frames).
        let input = path("long-audio.mp4")
        let made = try tool("ffmpeg", ["-v", "error", "-nostdin", "-y", "-f", "lavfi", "-i", "testsrc2=size=64x48:rate=10:duration=0.1",
                                       "-f", "lavfi", "-i", "sine=frequency=440:sample_rate=48000:duration=100",
                                       "-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p", "-c:a", "aac", "-b:a", "24k", input])
        XCTAssertEqual(made.status, 0, made.err)
        let expected = try count(input)
        XCTAssertGreaterThan(expected.audio, 4_096)

        let source = try FFmpegVideoSource(url: input)
        let sink = try VideoFileSink(path: path("out.mkv"), width: source.width, height: source.height,
                                     frameRate: source.frameRate ?? 10, audio: source.audioTrack)
        let pipeline = try Pipeline(source: source, sinks: [sink], configuration: PipelineConfiguration(
            mode: .offline, settings: PipelineSettings(effect: .none, faces: false), statsInterval: .seconds(60)))
        let done = expectation(description: "the pipeline finishes")
        let outcome = Locked<Result<TelemetrySnapshot, Error>?>(nil)
        Thread.detachNewThread {
            let result = Result { try pipeline.runBlocking() }
            outcome.mutate { $0 = result }
            done.fulfill()
        }
        wait(for: [done], timeout: 120)
        let summary = try XCTUnwrap(outcome.value).get()
        XCTAssertEqual(summary.run.framesOutput, 1)
        let written = try count(path("out.mkv"))
        XCTAssertEqual(written.video, 1)
        XCTAssertEqual(written.audio, expected.audio, "every audio packet is passed through")
    }
}

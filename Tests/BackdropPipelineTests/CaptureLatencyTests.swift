import BackdropCore
import BackdropMedia
import BackdropPipeline
import Dispatch
import XCTest

/// Latency is measured from when the device captured a frame (`VideoFrame.captureUptimeNanoseconds`,
/// a V4L2 camera's buffer timestamp) when the source knows it, so the time a frame waited in the
/// driver's queue counts: the device path's figure is capture to "queued to the virtual camera".
final class CaptureLatencyTests: PipelineTestCase {
    /// A camera whose frames were captured `age` before the source hands them out.
    final class AgedSource: VideoSource {
        let inner: SyntheticSource
        let age: UInt64
        init(age: UInt64) throws {
            inner = try SyntheticSource(width: 320, height: 180, frameRate: 30, frameCount: 12, pacing: .realTime)
            self.age = age
        }
        var name: String { "aged camera" }
        var width: Int { inner.width }
        var height: Int { inner.height }
        var frameRate: Double? { inner.frameRate }
        var audioTrack: (any AudioTrackDescription)? { nil }
        var audioHandler: ((any MediaPacket) -> Void)?
        var statistics: SourceStatistics { inner.statistics }
        func read(into frame: inout VideoFrame) throws(MediaError) -> Bool {
            guard try inner.read(into: &frame) else { return false }
            frame.captureUptimeNanoseconds = DispatchTime.now().uptimeNanoseconds - age
            return true
        }
        func close() { inner.close() }
    }

    func testLatencyCountsFromTheDevicesCaptureTime() async throws {
        let age: UInt64 = 400_000_000  // 0.4 s in the driver's queue
        let source = try AgedSource(age: age)
        let configuration = PipelineConfiguration(mode: .live, settings: PipelineSettings(effect: .none, faces: false),
                                                  statsInterval: .seconds(60))
        let pipeline = try Pipeline(source: source, sinks: [], configuration: configuration)
        let results = pipeline.results(bufferingNewest: 100)
        let runner = Task.detached { try await pipeline.run(); return try XCTUnwrap(pipeline.summary) }
        var latencies: [Double] = []
        for await result in results { latencies.append(result.latencyMilliseconds) }
        let summary = try await runner.value
        print("aged camera: latencies \(latencies.map { Int($0) }) ms, summary p50 \(summary.run.latencyP50Milliseconds) ms")
        XCTAssertFalse(latencies.isEmpty)
        for latency in latencies { XCTAssertGreaterThanOrEqual(latency, 400, "latency includes the 400 ms before the source had the frame") }
        XCTAssertGreaterThanOrEqual(summary.run.latencyP50Milliseconds, 400)
    }
}

import BackdropCore
import BackdropMedia
import BackdropPipeline
import Foundation
import XCTest

/// Each frame's faces and mask come from that frame, wherever the face landmarker runs: offline on
/// its own stage a frame behind the segmenter, offline after it on one thread, live beside it on
/// the same frame. The source mixes frames with a person (the astronaut photo: one face, a person
/// mask) and empty grey frames (no face, an empty mask) in an irregular order, so a result shifted
/// by a frame, or a mask and faces taken from different frames, would not match its frame.
final class FrameResultsTests: PipelineTestCase {
    /// Which frames show the person; shifting it by one frame either way changes 9 of its 16 places.
    static let hasPerson = [true, true, false, true, false, false, true, false, true, true, true, false, false, true, false, true]

    final class AlternatingSource: VideoSource {
        let person: PixelImage
        let empty: PixelImage
        private var next = 0
        init(person: PixelImage) {
            self.person = person
            empty = PixelImage(width: person.width, height: person.height, format: .rgb,
                               pixels: [UInt8](repeating: 128, count: person.pixels.count))
        }
        var name: String { "alternating frames" }
        var width: Int { person.width }
        var height: Int { person.height }
        var frameRate: Double? { 25 }
        var audioTrack: (any AudioTrackDescription)? { nil }
        var audioHandler: ((any MediaPacket) -> Void)?
        var statistics: SourceStatistics {
            var statistics = SourceStatistics()
            statistics.framesDelivered = next
            return statistics
        }
        func read(into frame: inout VideoFrame) throws(MediaError) -> Bool {
            guard next < FrameResultsTests.hasPerson.count else { return false }
            frame.image.overwrite(with: FrameResultsTests.hasPerson[next] ? person : empty)
            frame.index = next
            frame.timestampMicroseconds = Int64(next) * 40_000
            next += 1
            return true
        }
        func close() {}
    }

    private func results(mode: PipelineConfiguration.Mode, concurrentInference: Bool) async throws -> [PipelineResult] {
        let photo = try ImageFile.read(Self.root.appendingPathComponent(".cache/astronaut.png").path)
        XCTAssertGreaterThanOrEqual(min(photo.width, photo.height), PipelineConfiguration.ProcessSize.halvingShortSide,
                                    "a frame large enough to be halved for inference")
        let settings = PipelineSettings(effect: .none, smoothing: false, faces: true)
        let configuration = PipelineConfiguration(mode: mode, settings: settings, concurrentInference: concurrentInference,
                                                  statsInterval: .seconds(60))
        let pipeline = try Pipeline(source: AlternatingSource(person: photo), sinks: [], configuration: configuration)
        let stream = pipeline.results(bufferingNewest: 100)
        let runner = Task.detached { try await pipeline.run() }
        var collected: [PipelineResult] = []
        for await result in stream { collected.append(result) }
        try await runner.value
        return collected
    }

    private func checkEachResultIsItsFrames(_ results: [PipelineResult], _ label: String) {
        XCTAssertEqual(results.map(\.index), results.map(\.index).sorted(), "\(label): frames in order")
        XCTAssertEqual(Set(results.map(\.index)).count, results.count, "\(label): each frame once")
        for result in results {
            let person = Self.hasPerson[result.index]
            let mean = result.mask.values.reduce(0, +) / Float(max(result.mask.values.count, 1))
            XCTAssertEqual(result.faces.faces.count, person ? 1 : 0, "\(label): faces of frame \(result.index)")
            if person {
                XCTAssertGreaterThan(mean, 0.15, "\(label): frame \(result.index) shows a person: its mask has one")
            } else {
                XCTAssertLessThan(mean, 0.05, "\(label): frame \(result.index) is empty: so is its mask")
            }
        }
    }

    func testOfflineWithTheLandmarkerOnItsOwnStage() async throws {
        let results = try await results(mode: .offline, concurrentInference: true)
        XCTAssertEqual(results.count, Self.hasPerson.count, "offline: every frame")
        checkEachResultIsItsFrames(results, "offline, own stage")
    }

    func testOfflineWithBothTasksOnOneThread() async throws {
        let results = try await results(mode: .offline, concurrentInference: false)
        XCTAssertEqual(results.count, Self.hasPerson.count, "offline: every frame")
        checkEachResultIsItsFrames(results, "offline, one thread")
    }

    func testLiveWithBothTasksOnTheSameFrame() async throws {
        let results = try await results(mode: .live, concurrentInference: true)
        XCTAssertFalse(results.isEmpty)
        checkEachResultIsItsFrames(results, "live, side by side")
    }
}

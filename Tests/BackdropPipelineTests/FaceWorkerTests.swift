import BackdropCore
import BackdropMedia
import BackdropMediaPipe
import BackdropTestSupport
import Foundation
import XCTest
@testable import BackdropPipeline

/// `FaceWorker` on the real face landmarker: the same result as calling it directly, errors reach
/// the caller and the worker keeps working, and `stop()` ends its thread.
final class FaceWorkerTests: PipelineTestCase {
    private func landmarker() throws -> TaskGuard<FaceLandmarker> {
        let model = Self.root.appendingPathComponent("models/face_landmarker.task").path
        return try TaskGuard(name: "face-landmarker", policy: MemoryGuardPolicy(growthBudgetBytes: nil), onSwap: { _ in },
                             close: { try? $0.close() },
                             make: { () throws(MediaPipeError) in try FaceLandmarker(options: .init(modelPath: model, runningMode: .video)) })
    }

    /// Threads of this process named `name` (Linux: /proc/self/task/*/comm).
    private func threads(named name: String) -> Int {
        let tasks = (try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/task")) ?? []
        return tasks.filter {
            (try? String(contentsOfFile: "/proc/self/task/\($0)/comm", encoding: .utf8))?
                .trimmingCharacters(in: .whitespacesAndNewlines) == name
        }.count
    }

    func testResultsEqualDirectCallsAndErrorsReachTheCallerWithoutStoppingTheWorker() throws {
        let photo = try ImageFile.read(Self.root.appendingPathComponent(".cache/astronaut.png").path)
        let direct = try landmarker()
        let reference = try direct.current.detect(videoFrame: photo, timestampMs: 1)
        direct.shutDown()
        XCTAssertEqual(reference.faces.count, 1, "the astronaut photo has one face")

        let threadsBefore = threads(named: "backdrop.faces")
        let worker = FaceWorker(landmarker: try landmarker())
        defer {
            worker.stop()
            worker.landmarker.shutDown()
            // Leave no thread behind for the next test's count.
            XCTAssertTrue(poll(timeout: 10) { threads(named: "backdrop.faces") == threadsBefore })
        }
        var faces = FaceLandmarkerResult()
        worker.begin(photo, timestampMs: 1)
        try worker.finish(into: &faces)
        XCTAssertEqual(faces, reference, "the worker's result is the direct call's")

        // A timestamp that does not increase fails that frame only.
        worker.begin(photo, timestampMs: 1)
        XCTAssertThrowsError(try worker.finish(into: &faces)) { error in
            XCTAssertEqual(error as? MediaPipeError, .timestampNotIncreasing(previous: 1, given: 1))
        }
        worker.begin(photo, timestampMs: 2)
        try worker.finish(into: &faces)
        XCTAssertEqual(faces.faces.count, 1, "the worker goes on after a failed frame")
    }

    func testStopEndsTheWorkersThread() throws {
        let before = threads(named: "backdrop.faces")
        let worker = FaceWorker(landmarker: try landmarker())
        XCTAssertTrue(poll(timeout: 10) { threads(named: "backdrop.faces") == before + 1 }, "the worker runs on its own thread")
        worker.stop()
        worker.landmarker.shutDown()
        XCTAssertTrue(poll(timeout: 10) { threads(named: "backdrop.faces") == before }, "stop() ends the thread")
    }

    func testAPipelineBuiltButNeverRunLeavesNoThreadBehind() throws {
        var configuration = PipelineConfiguration(mode: .live, statsInterval: .seconds(60))
        configuration.concurrentInference = true  // the configuration with a face worker thread
        let before = threads(named: "backdrop.faces")
        do {
            let source = try SyntheticSource(width: 64, height: 48, frameRate: 30, frameCount: 1)
            let pipeline = try Pipeline(source: source, sinks: [], configuration: configuration)
            XCTAssertTrue(poll(timeout: 10) { threads(named: "backdrop.faces") == before + 1 })
            withExtendedLifetime(pipeline) {}
        }
        // At most `before`: a thread of an earlier test that ends meanwhile must not fail this one.
        XCTAssertTrue(poll(timeout: 30) { threads(named: "backdrop.faces") <= before },
                      "releasing a pipeline that never ran ends its face worker's thread")
    }
}

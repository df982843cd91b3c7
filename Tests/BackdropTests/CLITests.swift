import BackdropCore
import BackdropMedia
import Foundation
import XCTest

/// `backdrop segment` as a user runs it: a separate process, files on disk, exit codes.
final class CLITests: XCTestCase {
    /// The `backdrop` binary built beside this test bundle.
    var backdrop: String {
        let bundle = (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? CommandLine.arguments[0]
        return URL(fileURLWithPath: bundle).deletingLastPathComponent().appendingPathComponent("backdrop").path
    }

    func testSegmentWritesMaskLandmarksAndOverlay() throws {
        let scratch = try TestEnvironment.scratchDirectory(for: self)
        let result = try runProcess(backdrop, ["segment", TestEnvironment.astronaut, "--output-dir", scratch.path, "--category-mask"])
        XCTAssertEqual(result.status, 0, result.stderr)
        XCTAssertTrue(result.stdout.contains("1 face(s)"), result.stdout)

        let mask = try ImageFile.read(scratch.appendingPathComponent("astronaut.mask.png").path, as: .gray)
        XCTAssertEqual([mask.width, mask.height], [512, 512])
        let personShare = Double(mask.pixels.filter { $0 > 127 }.count) / Double(mask.pixels.count)
        XCTAssertTrue((0.3...0.8).contains(personShare), "person share \(personShare)")

        let category = try ImageFile.read(scratch.appendingPathComponent("astronaut.category.png").path, as: .gray)
        // MediaPipe's category mask: 0 where the person is; it agrees with the thresholded confidence mask.
        let agreement = zip(mask.pixels, category.pixels).filter { ($0 > 127) == ($1 == 0) }.count
        XCTAssertGreaterThan(Double(agreement) / Double(mask.pixels.count), 0.99)

        struct Document: Decodable {
            struct Face: Decodable { struct Point: Decodable { var x, y, z: Float }; var landmarks: [Point] }
            var width: Int, height: Int, faces: [Face]
        }
        let document = try JSONDecoder().decode(Document.self, from: Data(contentsOf: scratch.appendingPathComponent("astronaut.landmarks.json")))
        XCTAssertEqual(document.faces.count, 1)
        XCTAssertEqual(document.faces.first?.landmarks.count, 478)
        XCTAssertEqual(document.width, 512)

        let overlay = try ImageFile.read(scratch.appendingPathComponent("astronaut.overlay.png").path)
        let input = try ImageFile.read(TestEnvironment.astronaut)
        XCTAssertEqual(overlay.width, input.width)
        XCTAssertNotEqual(overlay.pixels, input.pixels)
    }

    func testMissingRuntimeFailsNamingThePathAndSetup() throws {
        let scratch = try TestEnvironment.scratchDirectory(for: self)
        var environment = ProcessInfo.processInfo.environment
        environment["BACKDROP_MEDIAPIPE_LIB"] = "/nonexistent/libmediapipe.so"
        let result = try runProcess(backdrop, ["segment", TestEnvironment.astronaut, "--output-dir", scratch.path], environment: environment)
        XCTAssertNotEqual(result.status, 0)
        XCTAssertTrue(result.stderr.contains("/nonexistent/libmediapipe.so"), result.stderr)
        XCTAssertTrue(result.stderr.contains("scripts/setup.sh"), result.stderr)
    }

    func testMissingImageFailsNamingIt() throws {
        let result = try runProcess(backdrop, ["segment", "/nonexistent/photo.png"])
        XCTAssertNotEqual(result.status, 0)
        XCTAssertTrue(result.stderr.contains("/nonexistent/photo.png"), result.stderr)
    }

    func testFailedRunLeavesEarlierOutputsIntact() throws {
        let scratch = try TestEnvironment.scratchDirectory(for: self)
        XCTAssertEqual(try runProcess(backdrop, ["segment", TestEnvironment.astronaut, "-o", scratch.path, "--no-faces"]).status, 0)
        let maskPath = scratch.appendingPathComponent("astronaut.mask.png").path
        let before = try Data(contentsOf: URL(fileURLWithPath: maskPath))

        let failed = try runProcess(backdrop, ["segment", TestEnvironment.astronaut, "-o", scratch.path, "--models", "/nonexistent/models"])
        XCTAssertNotEqual(failed.status, 0)
        XCTAssertTrue(failed.stderr.contains("/nonexistent/models/selfie_segmenter.tflite"), failed.stderr)
        XCTAssertEqual(try Data(contentsOf: URL(fileURLWithPath: maskPath)), before)
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: scratch.path).sorted(),
                       ["astronaut.mask.png", "astronaut.overlay.png"])
    }
}

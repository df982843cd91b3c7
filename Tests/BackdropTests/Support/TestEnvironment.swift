import BackdropCore
import BackdropTestSupport
import Foundation
import XCTest

/// Where the tests find what set-up provisioned: models, the venv, the shared media, the test photo.
enum TestEnvironment {
    static let root: URL = {
        guard let root = Checkout.root() else { fatalError("tests must run inside the Backdrop checkout") }
        return root
    }()
    static var modelsDirectory: URL { root.appendingPathComponent("models") }
    static var segmenterModel: String { modelsDirectory.appendingPathComponent("selfie_segmenter.tflite").path }
    static var faceModel: String { modelsDirectory.appendingPathComponent("face_landmarker.task").path }
    static var python: String { root.appendingPathComponent(".venv/bin/python").path }
    static var astronaut: String { root.appendingPathComponent(".cache/astronaut.png").path }
    static var talkingHeadClip: String { TestMedia.talkingHeadClip(in: root) }

    /// A fresh folder under the system temporary directory, removed by the test's teardown.
    static func scratchDirectory(for test: XCTestCase) throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("backdrop-test-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        test.addTeardownBlock { try? FileManager.default.removeItem(at: url) }
        return url
    }
}

/// Runs a program to completion and returns its exit status and output.
@discardableResult
func runProcess(_ executable: String, _ arguments: [String], environment: [String: String]? = nil) throws
    -> (status: Int32, stdout: String, stderr: String)
{
    let run = try runTool(executable, arguments, environment: environment)
    return (run.status, run.stdout, run.errors)
}

/// Extracts `count` frames of a video as PNG files with the ffmpeg tool, one every `every` frames.
func extractFrames(of video: String, count: Int, every: Int = 1, into folder: URL) throws -> [String] {
    let pattern = folder.appendingPathComponent("frame-%03d.png").path
    let filter = every > 1 ? ["-vf", "select=not(mod(n\\,\(every)))", "-vsync", "0"] : []
    let result = try runProcess("/usr/bin/ffmpeg", ["-v", "error", "-y", "-i", video] + filter
        + ["-frames:v", "\(count)", "-pix_fmt", "rgb24", pattern])
    guard result.status == 0 else { throw TestFailure("ffmpeg could not extract frames of \(video): \(result.stderr)") }
    return (1...count).map { folder.appendingPathComponent(String(format: "frame-%03d.png", $0)).path }
}

struct TestFailure: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

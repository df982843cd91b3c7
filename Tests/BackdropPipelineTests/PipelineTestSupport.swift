import BackdropCore
import BackdropMedia
import BackdropPipeline
import BackdropTestSupport
import Foundation
import XCTest

/// Scratch folders, clips made with the ffmpeg tool, and ffprobe counts for the pipeline tests.
class PipelineTestCase: XCTestCase {
    var folder: URL!

    override func setUpWithError() throws {
        folder = FileManager.default.temporaryDirectory.appendingPathComponent("BackdropPipelineTests-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws { try? FileManager.default.removeItem(at: folder) }

    func path(_ name: String) -> String { folder.appendingPathComponent(name).path }

    static var root: URL { Checkout.root()! }
    static var talkingHeadClip: String { TestMedia.talkingHeadClip(in: root) }

    @discardableResult
    func tool(_ name: String, _ arguments: [String], environment: [String: String]? = nil) throws -> (status: Int32, out: String, err: String) {
        let run = try runTool(name, arguments, environment: environment)
        return (run.status, run.stdout, run.errors)
    }

    /// The MD5 of each decoded frame of `file`, in order (ffmpeg's framemd5): compare lossless outputs frame by frame.
    func frameHashes(_ file: String) throws -> [String] {
        let listing = try tool("ffmpeg", ["-v", "error", "-i", file, "-f", "framemd5", "-"]).out
        return listing.split(separator: "\n").filter { !$0.hasPrefix("#") }
            .map { String($0.split(separator: ",").last ?? "").trimmingCharacters(in: .whitespaces) }
    }

    /// Decodable frames and audio packets in a file, counted by ffprobe.
    func count(_ file: String) throws -> (video: Int, audio: Int) {
        func packets(_ stream: String) throws -> Int {
            let result = try tool("ffprobe", ["-v", "error", "-select_streams", stream, "-count_packets", "-show_entries",
                                              "stream=nb_read_packets", "-of", "csv=p=0", file])
            return Int(result.out.trimmingCharacters(in: .whitespacesAndNewlines)) ?? 0
        }
        let frames = try tool("ffprobe", ["-v", "error", "-select_streams", "v:0", "-count_frames", "-show_entries",
                                          "stream=nb_read_frames", "-of", "csv=p=0", file])
        return (Int(frames.out.trimmingCharacters(in: .whitespacesAndNewlines)) ?? -1, try packets("a"))
    }

    /// The real clip with a sine tone added as AAC audio (the shared clip has none).
    func clipWithAudio() throws -> String {
        let output = path("clip-with-audio.mp4")
        let result = try tool("ffmpeg", ["-v", "error", "-y", "-i", Self.talkingHeadClip, "-f", "lavfi", "-i",
                                         "sine=frequency=440:duration=10", "-map", "0:v", "-map", "1:a", "-c:v", "copy",
                                         "-c:a", "aac", "-shortest", output])
        XCTAssertEqual(result.status, 0, result.err)
        return output
    }

    /// The `backdrop` tool built beside the test bundle.
    var backdrop: String {
        URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent("backdrop").path
    }
}

/// A value shared with a callback on another thread.
final class Locked<Value>: @unchecked Sendable {
    private let lock = NSLock()
    private var stored: Value
    init(_ value: Value) { stored = value }
    var value: Value { lock.withLock { stored } }
    func mutate(_ body: (inout Value) -> Void) { lock.withLock { body(&stored) } }
}

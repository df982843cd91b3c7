import BackdropCore
import BackdropMedia
import BackdropPipeline
import BackdropTestSupport
import Foundation
import XCTest

/// The getting-started article (Sources/BackdropPipeline/BackdropPipeline.docc/GettingStarted.md)
/// shows code that this file compiles and runs: its one Swift code block must equal the region of
/// this file between the GettingStarted markers below, so the article cannot drift from code that works.
final class GettingStartedTests: PipelineTestCase {
    private static let beginMarker = "// BEGIN GettingStarted"
    private static let endMarker = "// END GettingStarted"
    /// The article's colour: `.color(red: 30, green: 144, blue: 255)`.
    private static let recolour: (red: Int, green: Int, blue: Int) = (30, 144, 255)

    private static var thisFile: URL { URL(fileURLWithPath: #filePath) }
    private static var article: URL {
        thisFile.deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Sources/BackdropPipeline/BackdropPipeline.docc/GettingStarted.md")
    }

    func testTheArticlesCodeIsTheCodeThisFileRuns() throws {
        let article = try String(contentsOf: Self.article, encoding: .utf8)
        let blocks = Self.swiftCodeBlocks(in: article)
        XCTAssertEqual(blocks.count, 1, "the article has one Swift code block, the one this file runs")
        let tested = try Self.markedRegion(of: String(contentsOf: Self.thisFile, encoding: .utf8))
        XCTAssertFalse(tested.isEmpty)
        let shown = Self.normalised(try XCTUnwrap(blocks.first)), run = Self.normalised(tested)
        let common = min(shown.count, run.count)
        if let line = (0..<common).first(where: { shown[$0] != run[$0] }) ?? (shown.count == run.count ? nil : common) {
            XCTFail("GettingStarted.md's code block and the marked region of GettingStartedTests.swift differ at line \(line + 1) "
                        + "of the code: \"\(shown.dropFirst(line).first ?? "<end>")\" in the article, "
                        + "\"\(run.dropFirst(line).first ?? "<end>")\" in the test; change both together (copy one over the other)")
        }
    }

    func testTheArticlesCodeRecoloursTheBackgroundAfterTheSwitchAndFinalizesTheOutput() async throws {
        let output = path("getting-started.mp4")
        let switchAfter = 50, stopAfter = 50
        let ended = try await blurThenRecolour(input: Self.talkingHeadClip, output: output, switchAfter: switchAfter, stopAfter: stopAfter)
        let summary = try XCTUnwrap(ended, "the run ended with a summary")
        XCTAssertGreaterThan(summary.run.framesOutput, switchAfter + stopAfter, "it ran until frame switchAfter + stopAfter was out")
        XCTAssertEqual(try count(output).video, summary.run.framesOutput,
                       "the file is finalized under its name and holds every frame the summary counts")

        let recoloured = try Self.recolouredShare(ofEachFrameIn: output)
        XCTAssertEqual(recoloured.count, summary.run.framesOutput)
        // The person covers at most about half of the talking head's frame: once the background is
        // blue, well over a fifth of the pixels are; before, the blurred car interior has next to none.
        let firstRecoloured = try XCTUnwrap(recoloured.firstIndex { $0 > 0.2 }, "the new colour appears: \(recoloured)")
        XCTAssertGreaterThan(firstRecoloured, switchAfter, "not before the update, which came once frame \(switchAfter) was out")
        XCTAssertTrue(recoloured[..<firstRecoloured].allSatisfy { $0 < 0.01 }, "before the switch, no blue background: \(recoloured)")
        XCTAssertTrue(recoloured[firstRecoloured...].allSatisfy { $0 > 0.2 }, "from the switch on, every frame has it: \(recoloured)")
    }

    /// For each frame of `file`, the share of its pixels within H.264's error of the article's colour.
    private static func recolouredShare(ofEachFrameIn file: String) throws -> [Double] {
        let source = try FFmpegVideoSource(url: file)
        defer { source.close() }
        var frame = VideoFrame(image: PixelImage(width: 1, height: 1, format: .rgb))
        var shares: [Double] = []
        while try source.read(into: &frame) {
            let pixels = frame.image.pixels, channels = frame.image.format.bytesPerPixel
            var near = 0
            for base in stride(from: 0, to: pixels.count, by: channels)
            where abs(Int(pixels[base]) - recolour.red) <= 40 && abs(Int(pixels[base + 1]) - recolour.green) <= 40
                && abs(Int(pixels[base + 2]) - recolour.blue) <= 40 {
                near += 1
            }
            shares.append(Double(near) / Double(frame.image.width * frame.image.height))
        }
        return shares
    }

    /// The bodies of the ```swift fenced blocks of a Markdown text.
    private static func swiftCodeBlocks(in markdown: String) -> [String] {
        var blocks: [String] = [], current: [Substring]? = nil
        for line in markdown.split(separator: "\n", omittingEmptySubsequences: false) {
            let trimmed = line.trimmingCharacters(in: .whitespaces)
            if current == nil, trimmed == "```swift" {
                current = []
            } else if let lines = current, trimmed == "```" {
                blocks.append(lines.joined(separator: "\n"))
                current = nil
            } else {
                current?.append(line)
            }
        }
        return blocks
    }

    /// The lines strictly between this file's begin and end markers.
    private static func markedRegion(of source: String) throws -> String {
        let lines = source.split(separator: "\n", omittingEmptySubsequences: false)
        let begin = try XCTUnwrap(lines.firstIndex { $0.trimmingCharacters(in: .whitespaces) == beginMarker }, "no \(beginMarker) line")
        let end = try XCTUnwrap(lines.firstIndex { $0.trimmingCharacters(in: .whitespaces) == endMarker }, "no \(endMarker) line")
        XCTAssertLessThan(begin, end)
        return lines[(begin + 1)..<max(begin + 1, end)].joined(separator: "\n")
    }

    /// Code compared line by line regardless of where it is indented: trailing blanks and leading
    /// and trailing empty lines removed, the indentation every line shares removed.
    private static func normalised(_ code: String) -> [String] {
        var lines = code.split(separator: "\n", omittingEmptySubsequences: false).map { line in
            String(line.reversed().drop { $0 == " " || $0 == "\t" }.reversed())
        }
        while lines.first?.isEmpty == true { lines.removeFirst() }
        while lines.last?.isEmpty == true { lines.removeLast() }
        let indent = lines.filter { !$0.isEmpty }.map { $0.prefix { $0 == " " }.count }.min() ?? 0
        return lines.map { $0.isEmpty ? $0 : String($0.dropFirst(indent)) }
    }
}

// The article's code, at file scope as an app would have it (Swift allows imports anywhere at file scope).
// BEGIN GettingStarted
import BackdropEffects
import BackdropMedia
import BackdropPipeline

/// Blurs the background of the video at `input` into `output`, replaces the background with solid
/// blue once frame `switchAfter` is out, and shuts down `stopAfter` frames later (or when the video ends).
func blurThenRecolour(input: String, output: String, switchAfter: Int = 50, stopAfter: Int = 50) async throws -> TelemetrySnapshot? {
    let source = try FFmpegVideoSource(url: input)
    let sink = try VideoFileSink(path: output, width: source.width, height: source.height,
                                 frameRate: source.frameRate ?? 30, audio: source.audioTrack)
    let pipeline = try Pipeline(source: source, sinks: [sink], configuration: PipelineConfiguration(
        mode: .offline, settings: PipelineSettings(effect: .blur(strength: 16))))

    // Subscribe first, so no frame is missed. A reader that falls 8 results behind loses the oldest.
    let results = pipeline.results(bufferingNewest: 8)
    let running = Task { try await pipeline.run() }

    var recoloured = false
    for await result in results {
        if result.index % 25 == 0 {
            print("frame \(result.index): \(result.faces.faces.count) face(s), \(result.latencyMilliseconds) ms")
        }
        if !recoloured && result.index >= switchAfter {
            try pipeline.update { $0.effect = .color(red: 30, green: 144, blue: 255) }
            recoloured = true
        }
        if result.index >= switchAfter + stopAfter { break }
    }

    // Shut down: the frames in flight are finished and the file is finalized.
    running.cancel()
    try await running.value
    let summary = pipeline.summary
    if let summary { print(summary.summary()) }
    return summary
}
// END GettingStarted

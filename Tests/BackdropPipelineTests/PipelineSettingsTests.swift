import BackdropCore
import BackdropEffects
import BackdropMedia
import BackdropMediaPipe
import BackdropPipeline
import BackdropTestSupport
import Foundation
import XCTest

/// `update(...)` while a pipeline runs, and effects of an app's own.
final class PipelineSettingsTests: PipelineTestCase {
    private func offline(_ settings: PipelineSettings, output: String, loadsFaceLandmarker: Bool? = nil) throws -> Pipeline {
        let source = try FFmpegVideoSource(url: Self.talkingHeadClip)
        let sink = try VideoFileSink(path: path(output), width: source.width, height: source.height, frameRate: 25, codec: .lossless)
        return try Pipeline(source: source, sinks: [sink], configuration: PipelineConfiguration(
            mode: .offline, settings: settings, loadsFaceLandmarker: loadsFaceLandmarker, statsInterval: .seconds(60)))
    }

    /// The acceptance test of an atomic switch: a run that changes the effect at frame N gives,
    /// frame for frame, the first run's output before N and the second's from N on.
    func testSwitchingTheEffectAtFrameNEqualsTwoRunsJoinedAtN() throws {
        let before = PipelineSettings(effect: .blur(strength: 8), faces: false)
        let after = PipelineSettings(effect: .color(red: 30, green: 144, blue: 255), featherRadius: 5, faces: false)
        let switchAt = 100
        try offline(before, output: "before.mkv").runBlocking()
        try offline(after, output: "after.mkv").runBlocking()
        let switching = try offline(before, output: "switching.mkv")
        try switching.update(after, fromFrame: switchAt)
        XCTAssertEqual(switching.settings, after, "the pending update is what `settings` reports")
        let summary = try switching.runBlocking()

        let first = try frameHashes(path("before.mkv")), second = try frameHashes(path("after.mkv"))
        let joined = try frameHashes(path("switching.mkv"))
        XCTAssertEqual(joined.count, TestMedia.talkingHeadFrames, "no frame dropped")
        XCTAssertEqual(summary.run.framesDropped, 0)
        XCTAssertNotEqual(first[switchAt], second[switchAt], "the two settings draw different frames")
        XCTAssertEqual(Array(joined[..<switchAt]), Array(first[..<switchAt]), "frames before N: the first settings")
        XCTAssertEqual(Array(joined[switchAt...]), Array(second[switchAt...]), "frames from N: the second settings")
    }

    func testAnUpdateWhileRunningTakesEffectBetweenTwoFramesAndAnAppsOwnEffectRuns() async throws {
        let source = try SyntheticSource(width: 96, height: 64, frameRate: 30, frameCount: 90, pacing: .realTime)
        let pipeline = try Pipeline(source: source, sinks: [], configuration: PipelineConfiguration(
            mode: .live, settings: PipelineSettings(effect: .none, faces: false), statsInterval: .seconds(60)))
        let results = pipeline.results(bufferingNewest: 200, includeFrames: true)
        let paint = PaintEffect(red: 250)
        let running = Task { try await pipeline.run() }
        var painted: [Bool] = []
        for await result in results {
            let frame = try XCTUnwrap(result.frame)
            painted.append(frame.pixels.allSatisfy { $0 == 250 || $0 == 0 } && frame.pixels[0] == 250)
            if painted.count == 20 { try pipeline.update { $0.effect = .custom(paint) } }
            if painted.count == 40 { try pipeline.update { $0.featherRadius = 6 } }  // the effect itself unchanged
        }
        try await running.value
        XCTAssertEqual(painted.count, pipeline.summary?.run.framesOutput)
        XCTAssertFalse(painted[0], "frames before the update are untouched")
        let firstPainted = try XCTUnwrap(painted.firstIndex(of: true), "the app's effect was drawn")
        XCTAssertGreaterThanOrEqual(firstPainted, 20, "not before the update")
        XCTAssertTrue(painted[firstPainted...].allSatisfy { $0 }, "from its first frame on, every frame has the new effect, whole")
        XCTAssertEqual(paint.framesDrawn, painted.count - firstPainted, "the effect object drew exactly those frames")
        XCTAssertEqual(paint.preparedSize?.width, 96, "it was prepared for the frame size before its first frame")
        XCTAssertEqual(paint.prepareCalls, 1, "an update that keeps the effect keeps its object and prepares it no more")
    }

    func testFacesCanBeTurnedOnWhileRunningWhenTheLandmarkerIsLoaded() async throws {
        let pipeline = try offline(PipelineSettings(effect: .none, faces: false), output: "faces.mkv", loadsFaceLandmarker: true)
        try pipeline.update(fromFrame: 50) { $0.faces = true }
        let results = pipeline.results(bufferingNewest: 300)
        try pipeline.runBlocking()
        var facesByFrame: [Int: Int] = [:]
        for await result in results { facesByFrame[result.index] = result.faces.faces.count }
        XCTAssertEqual(facesByFrame.count, TestMedia.talkingHeadFrames)
        XCTAssertTrue((0..<50).allSatisfy { facesByFrame[$0] == 0 }, "faces off: no landmarks before frame 50")
        XCTAssertGreaterThan((50..<TestMedia.talkingHeadFrames).filter { facesByFrame[$0] == 1 }.count, 150,
                             "faces on from frame 50: the talking head's face found on most frames (need > 150 of 190)")
    }

    func testSettingsThatCannotRunAreRefusedAndChangeNothing() throws {
        let source = try SyntheticSource(width: 64, height: 48, frameRate: 30, frameCount: 5)
        let pipeline = try Pipeline(source: source, sinks: [], configuration: PipelineConfiguration(
            settings: PipelineSettings(effect: .none, faces: false), statsInterval: .seconds(60)))
        let refusals: [(String, (inout PipelineSettings) -> Void)] = [
            ("face landmarker", { $0.faces = true }),
            ("faces are off", { $0.effect = .landmarks(.mesh) }),
            ("featherRadius", { $0.featherRadius = 500 }),
            ("maxFPS", { $0.maxFPS = 0 }),
            ("edgeBias", { $0.edgeBias = 0.8 }),
            ("edgeBias", { $0.edgeBias = .nan }),
            ("negative", { $0.effect = .blur(strength: -1) }),
        ]
        for (expected, change) in refusals {
            XCTAssertThrowsError(try pipeline.update(change), expected) { error in
                guard case PipelineError.invalidSettings(let message) = error else { return XCTFail("\(error)") }
                XCTAssertTrue(message.contains(expected), "\(message) names \(expected)")
            }
        }
        XCTAssertEqual(pipeline.settings, PipelineSettings(effect: .none, faces: false), "nothing changed")
        XCTAssertThrowsError(try Pipeline(source: source, sinks: [], configuration: PipelineConfiguration(
            settings: PipelineSettings(featherRadius: -1)))) { error in
            guard case PipelineError.invalidSettings = error else { return XCTFail("\(error)") }
        }
    }
}

/// An effect of the test's own: paints every pixel's red channel and clears the others.
final class PaintEffect: FrameEffect, @unchecked Sendable {
    private let red: UInt8
    private(set) var framesDrawn = 0
    private(set) var preparedSize: (width: Int, height: Int)?
    init(red: UInt8) { self.red = red }
    var usesMask: Bool { false }
    private(set) var prepareCalls = 0
    func prepare(width: Int, height: Int) { preparedSize = (width, height); prepareCalls += 1 }
    func apply(to frame: inout PixelImage, mask: ConfidenceMask, faces: FaceLandmarkerResult) {
        framesDrawn += 1
        let channels = frame.format.bytesPerPixel
        frame.pixels.withUnsafeMutableBufferPointer { pixels in
            for index in pixels.indices { pixels[index] = index % channels == 0 ? red : 0 }
        }
    }
}

/// A video behind the person: one background frame per frame drawn, looping.
final class BackgroundVideoTests: PipelineTestCase {
    func testAVideoBackgroundAdvancesAFramePerFrameAndLoops() async throws {
        // Five red frames, then five blue ones.
        let clip = path("red-blue.mkv")
        let made = try tool("ffmpeg", ["-v", "error", "-nostdin", "-y", "-f", "lavfi", "-i", "color=c=red:s=64x48:r=10:d=0.5",
                                       "-f", "lavfi", "-i", "color=c=blue:s=64x48:r=10:d=0.5",
                                       "-filter_complex", "[0][1]concat=n=2:v=1", "-c:v", "ffv1", clip])
        XCTAssertEqual(made.status, 0, made.err)
        var options = SourceOptions()
        options.keepAudio = false
        let background = BackgroundVideo(source: try LoopingSource(url: clip, options: options, passes: 0))
        let source = try SyntheticSource(width: 320, height: 240, frameRate: 30, frameCount: 24)
        let pipeline = try Pipeline(source: source, sinks: [], configuration: PipelineConfiguration(
            settings: PipelineSettings(effect: .custom(background), smoothing: false, featherRadius: 0, faces: false),
            statsInterval: .seconds(60)))
        let results = pipeline.results(bufferingNewest: 100, includeFrames: true)
        try pipeline.runBlocking()
        var corners: [String] = []
        for await result in results {
            let pixels = try XCTUnwrap(result.frame).pixels  // the top-left corner: background in the synthetic scene
            corners.append(pixels[0] > 200 && pixels[2] < 60 ? "red" : pixels[2] > 200 && pixels[0] < 60 ? "blue" : "other")
        }
        // prepare() read the video's first frame, so frame i shows its frame i + 1, looping every 10.
        XCTAssertEqual(corners, (0..<24).map { (($0 + 1) % 10) < 5 ? "red" : "blue" })
        XCTAssertEqual(background.framesRead, 25, "one background frame per frame drawn, plus the one prepare() read")
    }
}

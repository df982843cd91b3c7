import BackdropCore
import BackdropMedia
import BackdropTestSupport
import Foundation
import XCTest

/// The studio page in a real headless Chromium during a real `backdrop run --serve`: the preview
/// moves, a control on the page changes what the run writes, and the charts fill from telemetry.
final class BrowserTests: StudioTestCase {
    func testThePageShowsALivePreviewSwitchesTheRunToGreenScreenAndChartsItsTelemetry() throws {
        let output = path("out.mkv"), mask = path("mask.mkv")
        // The real talking head, looped in real time (a small frame, so a debug build keeps up);
        // lossless files so a colour read back is the colour drawn; the mask says where the person is.
        let run = try StudioRun(backdrop: backdrop, ["run", "--input", Self.talkingHeadClip, "--realtime", "--loop", "0",
                                                     "--effect", "blur", "--no-faces", "--output", output, "--mask-output", mask,
                                                     "--lossless", "--stats-interval", "60", "--serve", "127.0.0.1:0"], in: folder)
        let studio = "http://127.0.0.1:\(run.port)/"

        let browser = try WebDriver()
        defer { browser.quit() }
        try browser.open(studio)

        // The preview is live: two pictures of #preview taken a moment apart differ.
        let preview = try browser.element("#preview")
        XCTAssertTrue(try poll(timeout: 60, every: 0.1) { try browser.execute("return $('preview').naturalWidth") as? Int ?? 0 > 0 },
                      "the preview never showed a frame")
        let firstPicture = try browser.screenshot(of: preview)
        XCTAssertTrue(try poll(timeout: 30, every: 0.5) { try browser.screenshot(of: preview) != firstPicture },
                      "the preview did not change in 30 s")

        // A user picks green-screen in #effect; the page applies it and shows the server's answer.
        try browser.click(browser.element("#effect option[value='green-screen']"))
        XCTAssertTrue(try poll(timeout: 15, every: 0.1) { try browser.execute("return $('status').textContent") as? String == "applied" },
                      "status: \(String(describing: try? browser.execute("return $('status').textContent")))")
        XCTAssertEqual(try browser.execute("return $('effect').value") as? String, "green-screen")
        // Frames already in flight when the change applied (up to the live pipeline's 7 slots) keep
        // the old settings: wait for 25 more than those.
        let outputAtChange = try run.framesOutput(), inFlight = 7
        XCTAssertTrue(try poll(timeout: 60, every: 0.2) { try run.framesOutput() >= outputAtChange + inFlight + 25 },
                      "the run did not output \(inFlight + 25) frames after the change: \(run.errors.suffix(1500))")

        // Every chart has drawn samples (from /api/history and the event stream).
        let drawn = "return ['chart-fps', 'chart-latency', 'chart-rss', 'chart-drops'].map(id => Number($(id).dataset.samples))"
        XCTAssertTrue(try poll(timeout: 30, every: 0.2) { (try browser.execute(drawn) as? [Int])?.allSatisfy { $0 > 0 } ?? false },
                      "samples drawn: \(String(describing: try? browser.execute(drawn)))")

        XCTAssertEqual(run.stop(SIGINT), 130, "an interrupted run finalizes its files: \(run.errors.suffix(1500))")

        // Frames before the change kept their background; from the change on it is green, the person kept.
        let frames = try greenShares(output: output, mask: mask)
        let firstGreen = try XCTUnwrap(frames.firstIndex { $0.background >= 0.9 }, "no frame has a green background")
        XCTAssertGreaterThan(firstGreen, 0, "the run started with blur, not green")
        XCTAssertGreaterThanOrEqual(frames.count - firstGreen, 25)
        for (index, frame) in frames.enumerated() {
            if index < firstGreen {
                XCTAssertLessThan(frame.background, 0.05, "frame \(index), before the change: its background is not green")
            } else {
                XCTAssertGreaterThanOrEqual(frame.background, 0.9, "frame \(index), after the change: green behind the person")
                XCTAssertLessThan(frame.person, 0.1, "frame \(index), after the change: the person is not keyed out")
            }
        }
    }

    // MARK: Helpers

    /// Whether a pixel is green-screen green, #00FF00 within 48 levels in each channel (room for
    /// the encoder's YUV round trip and chroma at edges; the clip's own colours are never that green).
    private static func isGreen(_ red: UInt8, _ green: UInt8, _ blue: UInt8) -> Bool { red <= 48 && green >= 207 && blue <= 48 }

    /// For each frame of `output`: the share of green pixels among its clear background (mask at
    /// most 32 of 255 in the same frame of `mask`) and among its clear person (mask at least 224).
    private func greenShares(output: String, mask: String) throws -> [(background: Double, person: Double)] {
        let frames = try FFmpegVideoSource(url: output)
        let masks = try FFmpegVideoSource(url: mask, options: SourceOptions(outputFormat: .gray))
        XCTAssertEqual(frames.width, masks.width)
        XCTAssertEqual(frames.height, masks.height)
        var frame = VideoFrame(image: PixelImage(width: 0, height: 0, format: .rgb))
        var person = VideoFrame(image: PixelImage(width: 0, height: 0, format: .gray))
        var shares: [(background: Double, person: Double)] = []
        while try frames.read(into: &frame) {
            XCTAssertTrue(try masks.read(into: &person), "the mask video has fewer frames than the output")
            var counts = (background: 0, greenBackground: 0, person: 0, greenPerson: 0)
            let rgb = frame.image.pixels, gray = person.image.pixels
            for index in 0..<gray.count {
                let green = Self.isGreen(rgb[3 * index], rgb[3 * index + 1], rgb[3 * index + 2])
                if gray[index] <= 32 {
                    counts.background += 1
                    if green { counts.greenBackground += 1 }
                } else if gray[index] >= 224 {
                    counts.person += 1
                    if green { counts.greenPerson += 1 }
                }
            }
            XCTAssertGreaterThan(counts.background, gray.count / 10, "frame \(shares.count) has hardly any background to judge")
            shares.append((Double(counts.greenBackground) / Double(max(1, counts.background)),
                           Double(counts.greenPerson) / Double(max(1, counts.person))))
        }
        XCTAssertFalse(try masks.read(into: &person), "the mask video has more frames than the output")
        return shares
    }
}

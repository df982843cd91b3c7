import ArgumentParser
import BackdropCore
import BackdropMedia
import Foundation

/// The inference stage shrinks frames to --process-size with `ImageResampler` (plain Swift, so the
/// pipeline links no FFmpeg); this holds it against libswscale (`ImageResizer`, SWS_AREA) in one run.
struct ResizeSpeed: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "resize-speed",
        abstract: "Milliseconds per frame of ImageResampler (Swift) and ImageResizer (libswscale), and how far apart their outputs are.",
        discussion: "The frame is the synthetic scene's first at 1280x720 RGB; one line per target size.")

    @Option(help: "Timed repetitions of each resize.")
    var iterations = 200

    func run() throws {
        let frame = VideoFrame(image: try syntheticSceneFrame())
        let resampler = ImageResampler(), resizer = ImageResizer()
        for (width, height) in [(256, 144), (640, 360), (320, 180), (1920, 1080)] {
            var swift = PixelImage(width: 0, height: 0, format: .rgb), swscale = swift
            let swiftMs = try milliseconds { () throws(MediaError) in
                try resampler.resize(frame.image, to: width, height, into: &swift)
            }
            let swscaleMs = try milliseconds { () throws(MediaError) in
                try resizer.resize(frame.image, to: width, height, into: &swscale)
            }
            let difference = zip(swift.pixels, swscale.pixels).reduce(0) { $0 + abs(Int($1.0) - Int($1.1)) }
            let largest = zip(swift.pixels, swscale.pixels).map { abs(Int($0) - Int($1)) }.max() ?? 0
            print("1280x720 -> \(width)x\(height): ImageResampler " + String(format: "%.2f", swiftMs) + " ms, ImageResizer "
                  + String(format: "%.2f", swscaleMs) + " ms, mean |difference| "
                  + String(format: "%.3f", Double(difference) / Double(swift.pixels.count)) + " per channel (largest \(largest))")
        }
    }

    private func milliseconds(_ body: () throws(MediaError) -> Void) throws(MediaError) -> Double {
        try body()  // sizes the buffers and tables
        let start = DispatchTime.now().uptimeNanoseconds
        for _ in 0..<iterations { try body() }
        return Double(DispatchTime.now().uptimeNanoseconds - start) / 1e6 / Double(iterations)
    }
}

import ArgumentParser
import BackdropCore
import BackdropMedia
import Foundation

/// What the studio's preview costs a viewer's stream: one 720p frame (or mask) to a 640-wide JPEG.
struct PreviewSpeed: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "preview-speed",
        abstract: "Milliseconds per preview JPEG (PreviewEncoder): a 1280x720 frame and a 256x144 mask, each to at most 640 px wide.",
        discussion: "The frame is the synthetic scene's first; one line per input, with the JPEG's size.")

    @Option(help: "Timed repetitions of each encode.")
    var iterations = 200

    @Option(help: "JPEG quality, 1...100.")
    var quality = 80

    func run() throws {
        let frame = try syntheticSceneFrame()
        var mask = ConfidenceMask(width: 256, height: 144)
        for y in 0..<mask.height { for x in 0..<mask.width { mask[x, y] = x > 80 && x < 176 && y > 30 ? 1 : 0 } }
        var jpeg: [UInt8] = []
        let frameEncoder = try PreviewEncoder(quality: quality), maskEncoder = try PreviewEncoder(quality: quality)
        let frameMs = try milliseconds { () throws(MediaError) in try frameEncoder.encode(frame, into: &jpeg) }
        print("1280x720 RGB frame -> 640x360 JPEG (quality \(quality)): " + String(format: "%.2f", frameMs)
              + " ms, \(jpeg.count / 1024) KiB")
        let maskMs = try milliseconds { () throws(MediaError) in try maskEncoder.encode(mask, into: &jpeg) }
        print("256x144 confidence mask -> 256x144 gray JPEG: " + String(format: "%.2f", maskMs) + " ms, \(jpeg.count / 1024) KiB")
    }

    private func milliseconds(_ body: () throws(MediaError) -> Void) throws(MediaError) -> Double {
        try body()  // opens the codec and the scaler
        let start = DispatchTime.now().uptimeNanoseconds
        for _ in 0..<iterations { try body() }
        return Double(DispatchTime.now().uptimeNanoseconds - start) / 1e6 / Double(iterations)
    }
}

import ArgumentParser
import BackdropCLI
import BackdropCore
import BackdropMedia
import Foundation

/// A test hook: a separate process writing video through `VideoFileSink`, so a test can SIGKILL it
/// mid-file and check that what it leaves behind plays.
struct WriteSynthetic: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "write-synthetic",
        abstract: "Writes a moving gradient to a video file with VideoFileSink, in real time.",
        discussion: """
        Prints "temporary: PATH" (the file being written) before the first frame and "finished: PATH
        (N frames)" after finish() renamed it into place. Frames go out at --fps in real time, so a test
        can kill the process part-way through. SIGINT or SIGTERM stops the writing and finishes the
        file, as every Backdrop writer does; --frames 0 writes until then.
        """)

    @Option(help: "The video file to write (.mkv, .mp4 or .mov).")
    var output: String
    @Option(help: "Frames to write (0: until SIGINT or SIGTERM).")
    var frames = 300
    @Option(help: "Frames per second, both the stream's rate and the writing pace.")
    var fps = 30.0
    @Option(help: "Frame width.")
    var width = 320
    @Option(help: "Frame height.")
    var height = 240
    @Flag(help: "Lossless FFV1 instead of H.264.")
    var lossless = false

    func run() async throws {
        let sink = try VideoFileSink(path: output, width: width, height: height, frameRate: fps,
                                     codec: lossless ? .lossless : .standard)
        print("temporary: \(sink.temporaryPath)")
        fflush(nil)  // the test reads this line while the process runs
        var frame = VideoFrame(image: PixelImage(width: width, height: height, format: .rgb))
        let signals = await SignalHandling.start()
        let start = Date()
        var index = 0
        while frames == 0 || index < frames, !signals.stop.isRequested {
            fill(&frame.image, shift: index * 3)
            frame.index = index
            frame.timestampMicroseconds = Int64((Double(index) * 1_000_000 / fps).rounded())
            try sink.write(frame)
            index += 1
            let wait = start.addingTimeInterval(Double(index) / fps).timeIntervalSinceNow
            if wait > 0 { try? await Task.sleep(for: .seconds(wait)) }
        }
        try sink.finish()
        print("finished: \(sink.path) (\(sink.framesWritten) frames)")
    }

    /// A horizontal gradient moving `shift` pixels, red rising across, green down, blue steady.
    private func fill(_ image: inout PixelImage, shift: Int) {
        let width = image.width, height = image.height
        image.pixels.withUnsafeMutableBufferPointer { pixels in
            for y in 0..<height {
                for x in 0..<width {
                    let base = (y * width + x) * 3
                    pixels[base] = UInt8(((x + shift) * 255 / max(1, width - 1)) & 255)
                    pixels[base + 1] = UInt8(y * 255 / max(1, height - 1))
                    pixels[base + 2] = 128
                }
            }
        }
    }
}

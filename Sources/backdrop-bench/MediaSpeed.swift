import ArgumentParser
import BackdropCore
import BackdropMedia
import Foundation

struct MediaSpeed: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "media-speed",
        abstract: "Decode, encode and transcode throughput of Backdrop's media layer on one file; one JSON line.",
        discussion: """
        decode: FFmpegVideoSource to RGB frames, as fast as possible.
        encode: VideoFileSink (H.264, veryfast, crf 23, Matroska) from RGB frames already in memory.
        transcode: both together, frame by frame.
        bench/media_bench.py runs this beside the ffmpeg tool on the same file.
        """)

    @Option(help: "The video file to read.")
    var input: String
    @Option(help: "Where the encodes go (deleted afterwards).")
    var scratch = FileManager.default.temporaryDirectory.path

    func run() throws {
        let output = URL(fileURLWithPath: scratch).appendingPathComponent("media-speed-\(getpid()).mkv").path
        defer { try? FileManager.default.removeItem(atPath: output) }

        // Decode alone, into one reused frame, as a pipeline does.
        var count = 0
        let decodeSeconds = try measure {
            let source = try FFmpegVideoSource(url: input)
            defer { source.close() }
            var frame = VideoFrame(image: PixelImage(width: 0, height: 0, format: .rgb))
            while try source.read(into: &frame) { count += 1 }
        }
        // The frames again, kept in memory (untimed), so the encode pass measures encoding alone.
        var frames: [VideoFrame] = []
        let source = try FFmpegVideoSource(url: input)
        var frame = VideoFrame(image: PixelImage(width: 0, height: 0, format: .rgb))
        while try source.read(into: &frame) { frames.append(frame) }
        source.close()
        guard let first = frames.first else { throw ValidationError("\(input) has no frames") }
        let fps = frameRate(of: frames)

        let encodeSeconds = try measure {
            let sink = try VideoFileSink(path: output, width: first.image.width, height: first.image.height, frameRate: fps)
            for frame in frames { try sink.write(frame) }
            try sink.finish()
        }
        let (width, height) = (first.image.width, first.image.height)
        frames = []

        let transcodeSeconds = try measure {
            let source = try FFmpegVideoSource(url: input)
            defer { source.close() }
            let sink = try VideoFileSink(path: output, width: width, height: height, frameRate: fps)
            var frame = VideoFrame(image: PixelImage(width: width, height: height, format: .rgb))
            while try source.read(into: &frame) { try sink.write(frame) }
            try sink.finish()
        }
        print("{\"width\": \(width), \"height\": \(height), \"frames\": \(count), "
              + "\"decode_fps\": \(Double(count) / decodeSeconds), \"encode_fps\": \(Double(count) / encodeSeconds), "
              + "\"transcode_fps\": \(Double(count) / transcodeSeconds)}")
    }

    private func measure(_ body: () throws -> Void) throws -> Double {
        let started = ContinuousClock.now
        try body()
        let elapsed = ContinuousClock.now - started
        return Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
    }

    private func frameRate(of frames: [VideoFrame]) -> Double {
        guard frames.count > 1, let last = frames.last, last.timestampMicroseconds > 0 else { return 30 }
        return Double(frames.count - 1) * 1_000_000 / Double(last.timestampMicroseconds)
    }
}

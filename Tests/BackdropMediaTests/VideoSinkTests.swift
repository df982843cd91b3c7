import BackdropCore
import BackdropMedia
import BackdropTestSupport
import Foundation
import XCTest

/// What every sink test needs: a scratch folder, synthetic frames, and the ffmpeg/ffprobe CLI to
/// check what was written independently of Backdrop's own readers.
class SinkTestCase: XCTestCase {
    var folder: URL!

    override func setUpWithError() throws {
        folder = FileManager.default.temporaryDirectory
            .appendingPathComponent("BackdropSinkTests-\(UUID().uuidString)", isDirectory: true)
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws {
        try? FileManager.default.removeItem(at: folder)
    }

    func path(_ name: String) -> String { folder.appendingPathComponent(name).path }

    func folderContents() throws -> [String] {
        try FileManager.default.contentsOfDirectory(atPath: folder.path).sorted()
    }

    /// Frame `index` of a moving gradient: each channel varies differently (so swapped channels,
    /// strides or flipped rows show), and the picture shifts 3 pixels a frame (so the encoder sees motion).
    /// Channels rise and fall (no 255-to-0 jumps, which 4:2:0 chroma cannot keep sharp in any encoder),
    /// so H.264's PSNR measures the sink, not the test card.
    static func gradient(_ index: Int, width: Int = 320, height: Int = 240, format: PixelFormat = .rgb,
                         fps: Double = 30) -> VideoFrame {
        var image = PixelImage(width: width, height: height, format: format)
        let channels = format.bytesPerPixel
        for y in 0..<height {
            for x in 0..<width {
                let shifted = x + 3 * index
                let values = [triangle(shifted * 255 / (width - 1)), y * 255 / (height - 1),
                              triangle((shifted + 2 * y) / 3), triangle(x * 7 + y * 5 + index)]
                let base = (y * width + x) * channels
                if format == .gray {
                    image.pixels[base] = UInt8((values[0] + values[1] + values[2]) / 3)
                } else {
                    for channel in 0..<channels { image.pixels[base + channel] = UInt8(values[channel]) }
                }
            }
        }
        return VideoFrame(image: image, timestampMicroseconds: Int64((Double(index) * 1_000_000 / fps).rounded()), index: index)
    }

    /// 0, 1, ... 255, 254, ... 0, 1, ...: a wave without jumps.
    private static func triangle(_ value: Int) -> Int {
        let phase = value % 510
        return phase < 256 ? phase : 509 - phase
    }

    // MARK: The ffmpeg command-line tools

    typealias Run = ToolRun

    @discardableResult
    func run(_ tool: String, _ arguments: [String], input: Data? = nil) throws -> Run {
        try runTool(tool, arguments, input: input)
    }

    struct Probe: Equatable {
        var frames: Int
        var width: Int
        var height: Int
        var codec: String
        var pixelFormat: String
    }

    /// ffprobe's count of decodable video frames, and the stream's size, codec and pixel format.
    func probe(_ file: String) throws -> Probe {
        let result = try run("ffprobe", ["-v", "error", "-count_frames", "-select_streams", "v:0", "-show_entries",
                                         "stream=nb_read_frames,width,height,codec_name,pix_fmt", "-of", "json", file])
        XCTAssertEqual(result.status, 0, "ffprobe \(file): \(result.errors)")
        let json = try JSONSerialization.jsonObject(with: result.output) as? [String: Any]
        guard let stream = (json?["streams"] as? [[String: Any]])?.first else { throw ToolFailed(message: result.errors) }
        return Probe(frames: Int(stream["nb_read_frames"] as? String ?? "") ?? -1,
                     width: stream["width"] as? Int ?? -1, height: stream["height"] as? Int ?? -1,
                     codec: stream["codec_name"] as? String ?? "", pixelFormat: stream["pix_fmt"] as? String ?? "")
    }

    /// Presentation times (seconds) of the decoded video frames, in decoding output order.
    func frameTimes(_ file: String) throws -> [Double] {
        let result = try run("ffprobe", ["-v", "error", "-select_streams", "v:0", "-show_entries", "frame=pts_time",
                                         "-of", "csv=p=0", file])
        XCTAssertEqual(result.status, 0, result.errors)
        // A frame with side data gets extra (empty) CSV fields and lines: keep each line's first field.
        return String(decoding: result.output, as: UTF8.self).split(separator: "\n")
            .compactMap { $0.split(separator: ",", omittingEmptySubsequences: false).first.flatMap { Double($0) } }
    }

    /// Every frame of the file decoded by the ffmpeg CLI to packed `pixelFormat` ("rgb24", "rgba", "gray").
    func decode(_ file: String, pixelFormat: String, width: Int, height: Int, bytesPerPixel: Int) throws -> [[UInt8]] {
        let result = try run("ffmpeg", ["-v", "error", "-nostdin", "-i", file, "-map", "0:v:0", "-f", "rawvideo",
                                        "-pix_fmt", pixelFormat, "-"])
        XCTAssertEqual(result.status, 0, result.errors)
        let frameBytes = width * height * bytesPerPixel
        let bytes = [UInt8](result.output)
        XCTAssertEqual(bytes.count % frameBytes, 0, "decoded output is not whole frames")
        return stride(from: 0, to: bytes.count - frameBytes + 1, by: frameBytes).map { Array(bytes[$0..<$0 + frameBytes]) }
    }

    func psnr(_ a: [UInt8], _ b: [UInt8]) -> Double {
        precondition(a.count == b.count)
        var squared = 0.0
        for index in a.indices {
            let difference = Double(a[index]) - Double(b[index])
            squared += difference * difference
        }
        let mean = squared / Double(a.count)
        return mean == 0 ? .infinity : 10 * log10(255 * 255 / mean)
    }

    /// Writes frames 0..<count of the moving gradient and finishes.
    func writeGradient(to sink: VideoSink, count: Int, format: PixelFormat = .rgb) throws {
        for index in 0..<count { try sink.write(Self.gradient(index, format: format)) }
        try sink.finish()
    }
}

struct ToolFailed: Error {
    var message: String
}

/// A value a reader thread hands back to the test thread (joined before it is read).
final class SendableBox<Value>: @unchecked Sendable {
    var value: Value?
}

// MARK: - VideoFileSink

final class VideoSinkTests: SinkTestCase {
    /// H.264 at crf 18: same frame count, increasing timestamps, and the pictures close to what went in.
    func testH264RoundTripInMatroskaAndFragmentedMP4() throws {
        for name in ["gradient.mkv", "gradient.mp4"] {
            let file = path(name)
            let sink = try VideoFileSink(path: file, width: 320, height: 240, frameRate: 30, codec: .h264(crf: 18, preset: "veryfast"))
            try writeGradient(to: sink, count: 60)
            XCTAssertEqual(try probe(file), Probe(frames: 60, width: 320, height: 240, codec: "h264", pixelFormat: "yuv420p"), name)

            let times = try frameTimes(file)
            XCTAssertEqual(times.count, 60, name)
            XCTAssertEqual(zip(times, times.dropFirst()).filter { $0.0 >= $0.1 }.count, 0, "\(name): timestamps not increasing: \(times)")
            XCTAssertEqual((times.last ?? 0) - (times.first ?? 0), 59.0 / 30, accuracy: 0.002, name)

            let decoded = try decode(file, pixelFormat: "rgb24", width: 320, height: 240, bytesPerPixel: 3)
            XCTAssertEqual(decoded.count, 60)
            let worst = decoded.indices.map { psnr(decoded[$0], Self.gradient($0).image.pixels) }.min() ?? 0
            print("\(name): worst frame PSNR \(worst) dB")
            XCTAssertGreaterThan(worst, 40, "\(name): H.264 crf 18 measured 43.7 dB on its worst frame")
        }
        XCTAssertEqual(try folderContents(), ["gradient.mkv", "gradient.mp4"], "no temporary file left behind")
    }

    func testLosslessIsExactForRGBAndGrayFrames() throws {
        let file = path("lossless.mkv")
        let sink = try VideoFileSink(path: file, width: 320, height: 240, frameRate: 30, codec: .lossless)
        try writeGradient(to: sink, count: 10)
        XCTAssertEqual(try probe(file), Probe(frames: 10, width: 320, height: 240, codec: "ffv1", pixelFormat: "bgr0"))
        let decoded = try decode(file, pixelFormat: "rgb24", width: 320, height: 240, bytesPerPixel: 3)
        XCTAssertEqual(decoded.count, 10)
        for (index, pixels) in decoded.enumerated() {
            XCTAssertEqual(pixels, Self.gradient(index).image.pixels, "lossless frame \(index) changed")
        }

        let grayFile = path("gray.mkv")
        let graySink = try VideoFileSink(path: grayFile, width: 320, height: 240, frameRate: 30, codec: .lossless, pixelFormat: .gray)
        try writeGradient(to: graySink, count: 5, format: .gray)
        XCTAssertEqual(try probe(grayFile).pixelFormat, "gray")
        let grays = try decode(grayFile, pixelFormat: "gray", width: 320, height: 240, bytesPerPixel: 1)
        XCTAssertEqual(grays, (0..<5).map { Self.gradient($0, format: .gray).image.pixels })
    }
}

import BackdropCore
import BackdropMedia
import Foundation
import XCTest

final class RawFrameSinkTests: SinkTestCase {
    /// Frames go through a pipe byte for byte; the pipe holds less than a frame, so a reader thread drains it.
    func testPipeCarriesExactBytes() throws {
        let pipe = Pipe()
        let descriptor = pipe.fileHandleForWriting.fileDescriptor
        let received = SendableBox<Data>()
        let reader = Thread { received.value = pipe.fileHandleForReading.readDataToEndOfFile() }
        reader.start()
        let sink = RawFrameSink(fileDescriptor: dup(descriptor), format: .rgb, closeWhenFinished: true)
        try pipe.fileHandleForWriting.close()
        var expected = [UInt8]()
        for index in 0..<5 {
            let frame = Self.gradient(index)
            expected += frame.image.pixels
            try sink.write(frame)
        }
        try sink.finish()  // closes the last write end: the reader sees end of file
        while !reader.isFinished { usleep(1000) }
        XCTAssertEqual([UInt8](received.value ?? Data()), expected)
        XCTAssertEqual(sink.readerArguments(frameRate: 30),
                       ["-f", "rawvideo", "-pixel_format", "rgb24", "-video_size", "320x240", "-framerate", "30.0", "-i", "-"])
    }

    /// ffmpeg reads the stream with the arguments the sink gives, and frames in other layouts are converted.
    func testFFmpegReadsConvertedFrames() throws {
        let sink = try RawFrameSink(path: "-")  // stdout: only checks the name here
        XCTAssertEqual(sink.name, "standard output")

        let file = path("frames.rgba")
        let rgba = try RawFrameSink(path: file, format: .rgba)
        let rgbFrames = (0..<3).map { Self.gradient($0) }
        for frame in rgbFrames { try rgba.write(frame) }
        try rgba.write(Self.gradient(3, format: .gray))
        try rgba.finish()
        let bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: file)))
        XCTAssertEqual(bytes.count, 4 * 320 * 240 * 4)
        for (index, frame) in rgbFrames.enumerated() {
            let written = bytes[(index * 320 * 240 * 4)..<((index + 1) * 320 * 240 * 4)]
            var expected = [UInt8]()
            for pixel in 0..<(320 * 240) { expected += frame.image.pixels[(pixel * 3)..<(pixel * 3 + 3)] + [255] }
            XCTAssertEqual(Array(written), expected, "RGB frame \(index) as RGBA: same colour, opaque")
        }
        let gray = Self.gradient(3, format: .gray).image.pixels
        let lastFrame = Array(bytes.suffix(320 * 240 * 4))
        XCTAssertEqual((0..<(320 * 240)).map { lastFrame[$0 * 4] }, gray, "a gray frame as RGBA repeats the gray")

        let decoded = try run("ffmpeg", ["-v", "error", "-nostdin"] + rgba.readerArguments(frameRate: 30).dropLast(2)
                                + ["-i", file, "-f", "framemd5", "-"])
        XCTAssertEqual(decoded.status, 0, decoded.errors)
        XCTAssertEqual(String(decoding: decoded.output, as: UTF8.self).split(separator: "\n").filter { !$0.hasPrefix("#") }.count, 4)
    }

    /// RGB to gray is BT.601 full-range luma (0.299 R + 0.587 G + 0.114 B), within rounding.
    func testRGBToGrayIsLuma() throws {
        let file = path("luma.gray")
        let sink = try RawFrameSink(path: file, format: .gray)
        let colours: [[UInt8]] = [[255, 0, 0], [0, 255, 0], [0, 0, 255], [255, 255, 255], [0, 0, 0], [200, 100, 50]]
        var image = PixelImage(width: 64, height: 6, format: .rgb)
        for (row, colour) in colours.enumerated() {
            for x in 0..<64 { image.pixels.replaceSubrange(((row * 64 + x) * 3)..<((row * 64 + x) * 3 + 3), with: colour) }
        }
        try sink.write(VideoFrame(image: image))
        try sink.finish()
        let bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: file)))
        for (row, colour) in colours.enumerated() {
            let luma = 0.299 * Double(colour[0]) + 0.587 * Double(colour[1]) + 0.114 * Double(colour[2])
            XCTAssertEqual(Double(bytes[row * 64 + 10]), luma, accuracy: 1.01, "\(colour)")
        }
    }

    func testClosedReaderAndFullDiskAreWriteFailures() throws {
        var ends: [Int32] = [0, 0]
        XCTAssertEqual(pipe(&ends), 0)
        close(ends[0])  // nobody will read
        let orphan = RawFrameSink(fileDescriptor: ends[1], name: "the pipe", closeWhenFinished: true)
        XCTAssertThrowsError(try orphan.write(Self.gradient(0))) { error in
            guard case let .writeFailed(path, reason) = error as? MediaError else { return XCTFail("\(error)") }
            XCTAssertEqual(path, "the pipe")
            XCTAssertTrue(reason.contains("reader closed the pipe"), reason)
        }
        // Still alive: SIGPIPE did not end the test process.

        // /dev/full answers every write with ENOSPC.
        let full = try RawFrameSink(path: "/dev/full")
        XCTAssertThrowsError(try full.write(Self.gradient(0))) { error in
            guard case let .writeFailed(_, reason) = error as? MediaError else { return XCTFail("\(error)") }
            XCTAssertTrue(reason.contains("disk full"), reason)
        }

        let sized = try RawFrameSink(path: path("sized.rgb"))
        try sized.write(Self.gradient(0))
        XCTAssertThrowsError(try sized.write(Self.gradient(1, width: 160, height: 120))) { error in
            guard case .invalidImage = error as? MediaError else { return XCTFail("\(error)") }
        }
        assertWriteFailed(try RawFrameSink(path: path("missing/x.rgb")), mentions: "No such file")
    }

    private func assertWriteFailed(_ make: @autoclosure () throws -> RawFrameSink, mentions: String) {
        XCTAssertThrowsError(try make()) { error in
            guard case let .writeFailed(_, reason) = error as? MediaError else { return XCTFail("\(error)") }
            XCTAssertTrue(reason.contains(mentions), reason)
        }
    }
}

import BackdropCore
import BackdropMedia
import BackdropTestSupport
import Foundation
import XCTest

/// Backdrop's sinks and sources together: what one writes, the other reads back.
final class MediaRoundTripTests: SinkTestCase {
    /// H.264 at crf 18 on the synthetic scene must stay above this on every frame (measured: 33.8 dB
    /// worst frame; 4:2:0 chroma is what limits it, at the sharp edges of the cut-out person).
    static let minimumLossyPSNR = 32.0

    /// N frames of the synthetic scene, kept to compare with what comes back.
    private func syntheticFrames(_ count: Int) throws -> [VideoFrame] {
        let source = try SyntheticSource(width: 320, height: 240, frameRate: 25, frameCount: count)
        var frames: [VideoFrame] = []
        var frame = VideoFrame(image: PixelImage(width: 320, height: 240, format: .rgb))
        while try source.read(into: &frame) { frames.append(frame) }
        source.close()
        return frames
    }

    private func readBack(_ path: String) throws -> [VideoFrame] {
        let source = try FFmpegVideoSource(url: path)
        defer { source.close() }
        var frames: [VideoFrame] = []
        var frame = VideoFrame(image: PixelImage(width: 0, height: 0, format: .rgb))
        while try source.read(into: &frame) { frames.append(frame) }
        XCTAssertEqual(source.statistics.damagedFramesSkipped, 0)
        return frames
    }

    func testEncodedFramesDecodeBackWithTheirCountTimestampsAndPixels() throws {
        let written = try syntheticFrames(50)
        XCTAssertEqual(written.count, 50)
        for (name, codec) in [("lossy.mkv", VideoCodec.h264(crf: 18)), ("lossy.mp4", .h264(crf: 18)), ("lossless.mkv", .lossless)] {
            let sink = try VideoFileSink(path: path(name), width: 320, height: 240, frameRate: 25, codec: codec)
            for frame in written { try sink.write(frame) }
            try sink.finish()

            let read = try readBack(path(name))
            XCTAssertEqual(read.count, written.count, name)
            XCTAssertEqual(read.map(\.timestampMicroseconds), written.map(\.timestampMicroseconds), name)
            let quality = zip(read, written).map { psnr($0.image.pixels, $1.image.pixels) }
            print("\(name): \(read.count) frames, worst PSNR \(String(format: "%.1f", quality.min() ?? 0)) dB")
            if case .lossless = codec {
                XCTAssertTrue(quality.allSatisfy(\.isInfinite), "\(name): lossless frames differ")
            } else {
                XCTAssertGreaterThan(quality.min() ?? 0, Self.minimumLossyPSNR, name)
            }
        }
    }

    func testStreamSentToLoopbackArrivesAtABackdropSource() throws {
        let port = try LoopbackPorts.free(.udp)
        let url = "udp://127.0.0.1:\(port)"
        let received = SendableBox<[Int64]>()
        let failure = SendableBox<String>()
        // The receiver opens first and waits for data (FFmpeg probes the stream before returning).
        let receiver = Thread {
            do {
                var options = SourceOptions()
                options.networkTimeout = 10
                let source = try FFmpegVideoSource(url: url + "?timeout=10000000", options: options)
                var frame = VideoFrame(image: PixelImage(width: 0, height: 0, format: .rgb))
                var timestamps: [Int64] = []
                while timestamps.count < 25, try source.read(into: &frame) {
                    XCTAssertEqual([frame.image.width, frame.image.height], [320, 240])
                    timestamps.append(frame.timestampMicroseconds)
                }
                source.close()
                received.value = timestamps
            } catch {
                failure.value = "\(error)"
            }
        }
        receiver.start()
        XCTAssertTrue(LoopbackPorts.waitUntilBound(port, .udp), "the receiver never bound port \(port)")

        let sink = try StreamSink(url: url, width: 320, height: 240, frameRate: 25)
        let started = Date()
        for index in 0..<100 where !receiver.isFinished {
            try sink.write(Self.gradient(index, fps: 25))
            Thread.sleep(until: started.addingTimeInterval(Double(index + 1) / 25))  // a live stream's pace
        }
        try sink.finish()
        while !receiver.isFinished { usleep(10_000) }

        XCTAssertNil(failure.value)
        let timestamps = received.value ?? []
        XCTAssertEqual(timestamps.count, 25, "frames received over UDP")
        XCTAssertEqual(timestamps, timestamps.sorted())
        XCTAssertEqual(Set(timestamps).count, timestamps.count)
    }

    func testInterruptFinishesTheFileAndItPlaysToItsLastFrame() throws {
        let tool = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent("backdrop-bench")
        for (signalNumber, name) in [(SIGINT, "interrupted.mp4"), (SIGTERM, "terminated.mkv")] {
            let writer = try RunningTool(tool.path, ["write-synthetic", "--output", path(name), "--frames", "0", "--fps", "30"])
            // Signal once the temporary file plays a second of frames (polled, not slept).
            XCTAssertTrue(poll(timeout: 60, every: 0.1) { partialFile(for: path(name)).map(playableFrames) ?? 0 >= 30 },
                          "\(name): no playable fragment within 60 s")
            XCTAssertTrue(writer.isRunning, "\(name): the writer stopped by itself")
            writer.send(signalNumber)
            let finished = writer.wait()
            let printed = finished.stdout

            XCTAssertEqual(finished.status, 0, "\(name): \(printed)")
            let reported = printed.firstMatch(of: /finished: .* \((\d+) frames\)/).flatMap { Int($0.1) }
            XCTAssertNotNil(reported, printed)
            XCTAssertGreaterThanOrEqual(reported ?? 0, 30, "signalled after its first whole fragment")
            // Finalized in place: the target exists, every written frame plays, no temporary file is left.
            XCTAssertEqual(try probe(path(name)).frames, reported, name)
            XCTAssertEqual(try folderContents().filter { $0.contains("partial") }, [])
        }
    }
}

import BackdropCore
import BackdropMedia
import BackdropTestSupport
import Foundation
import XCTest

/// StreamSink against real receivers on the loopback interface: the ffmpeg CLI listens, Backdrop sends.
final class StreamSinkTests: SinkTestCase {
    func testMPEGTSOverUDPArrives() throws {
        let port = try LoopbackPorts.free(.udp)
        let received = try receive(from: "udp://127.0.0.1:\(port)?timeout=5000000", listeningOn: port, protocol: .udp) {
            try StreamSink(url: "udp://127.0.0.1:\(port)", width: 320, height: 240, frameRate: 30)
        }
        XCTAssertEqual(received, 20, "the receiver decoded 20 frames")
    }

    func testMPEGTSOverRTPArrives() throws {
        let port = try LoopbackPorts.free(.udp)
        let received = try receive(from: "rtp://127.0.0.1:\(port)?timeout=5000000", listeningOn: port, protocol: .udp) {
            try StreamSink(url: "rtp://127.0.0.1:\(port)", width: 320, height: 240, frameRate: 30)
        }
        XCTAssertEqual(received, 20)
    }

    func testMPEGTSOverSRTArrives() throws {
        let port = try LoopbackPorts.free(.udp)
        let received = try receive(from: "srt://127.0.0.1:\(port)?mode=listener&timeout=5000000", listeningOn: port,
                                   protocol: .udp) {
            try StreamSink(url: "srt://127.0.0.1:\(port)", width: 320, height: 240, frameRate: 30)
        }
        XCTAssertEqual(received, 20)
    }

    func testFLVOverRTMPArrives() throws {
        // ffmpeg's own RTMP protocol can listen: a one-client server, no nginx needed.
        let port = try LoopbackPorts.free(.tcp)
        let received = try receive(from: "rtmp://127.0.0.1:\(port)/live/key", inputOptions: ["-listen", "1"],
                                   listeningOn: port, protocol: .tcp) {
            try StreamSink(url: "rtmp://127.0.0.1:\(port)/live/key", width: 320, height: 240, frameRate: 30)
        }
        XCTAssertEqual(received, 20)
    }

    func testUnreachableServerAndUnknownSchemeAreClearErrors() throws {
        let port = try LoopbackPorts.free(.tcp)  // nothing listens there
        let url = "rtmp://127.0.0.1:\(port)/live/key"
        let started = Date()
        XCTAssertThrowsError(try StreamSink(url: url, width: 320, height: 240, frameRate: 30)) { error in
            XCTAssertTrue("\(error)".contains(url), "\(error)")
            print("refused RTMP: \(error)")
        }
        XCTAssertLessThan(Date().timeIntervalSince(started), 10)

        XCTAssertThrowsError(try StreamSink(url: "http://127.0.0.1/stream", width: 320, height: 240, frameRate: 30)) { error in
            guard case let .unsupported(_, reason) = error as? MediaError else { return XCTFail("\(error)") }
            XCTAssertTrue(reason.contains("udp://"), reason)
        }
        XCTAssertEqual(StreamSink.Format(url: "SRT://host:9000"), .mpegTS)
        XCTAssertEqual(StreamSink.Format(url: "rtp://host:5004"), .rtpMPEGTS)
        XCTAssertEqual(StreamSink.Format(url: "rtmps://host/app/key"), .flv)
    }

    // MARK: Helpers

    private typealias Transport = LoopbackPorts.Transport

    /// Starts `ffmpeg -i url -frames:v 20` first, waits until it listens on `port`, then sends three
    /// seconds of frames in real time through the sink `makeSink` opens; returns how many frames the
    /// receiver decoded.
    private func receive(from url: String, inputOptions: [String] = [], listeningOn port: Int, protocol transport: Transport,
                         makeSink: () throws -> StreamSink) throws -> Int {
        let receiver = Process(), output = Pipe(), errors = Pipe()
        receiver.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        // One second of analysis: MPEG-TS may add streams at any time, so by default ffmpeg watches five
        // seconds of stream (longer than this test sends) before it decodes anything.
        receiver.arguments = ["ffmpeg", "-v", "error", "-nostdin", "-analyzeduration", "1000000"] + inputOptions
            + ["-i", url, "-frames:v", "20", "-f", "framemd5", "-"]
        receiver.standardOutput = output
        receiver.standardError = errors
        try receiver.run()
        defer { if receiver.isRunning { kill(receiver.processIdentifier, SIGKILL) } }
        XCTAssertTrue(LoopbackPorts.waitUntilBound(port, transport), "the receiver never bound port \(port)")

        let sink = try makeSink()
        let start = Date()
        do {
            for index in 0..<90 where receiver.isRunning {
                try sink.write(Self.gradient(index))
                Thread.sleep(until: start.addingTimeInterval(Double(index + 1) / 30))
            }
            try sink.finish()
        } catch {
            // A connection-oriented receiver (SRT) that has its 20 frames hangs up: sending then fails,
            // as it should. Any other failure is the test's.
            receiver.waitUntilExit()
            XCTAssertTrue("\(error)".contains("connection broke"), "\(error)")
        }
        let deadline = Date().addingTimeInterval(5)
        while receiver.isRunning && Date() < deadline { usleep(10_000) }
        let lines = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self).split(separator: "\n")
        let problems = String(decoding: errors.fileHandleForReading.availableData, as: UTF8.self)
        XCTAssertFalse(receiver.isRunning, "the receiver did not get 20 frames within 5 s: \(problems)")
        return lines.filter { !$0.hasPrefix("#") }.count
    }
}

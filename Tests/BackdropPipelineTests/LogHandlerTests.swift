import BackdropCLI
import BackdropPipeline
import Foundation
import Logging
import XCTest

/// The CLI's log handlers (`--log-format plain|json`) and its once-only bootstrap: the library
/// targets make no Logger of their own (LibraryLoggingTests), so these live with the CLI.
final class LogHandlerTests: XCTestCase {
    func testJSONLogHandlerWritesOneObjectPerLine() throws {
        let pipe = Pipe()
        let handler = JSONLogHandler(label: "backdrop.telemetry", fileHandle: pipe.fileHandleForWriting)
        var logger = Logger(label: "backdrop.telemetry") { _ in handler }
        logger[metadataKey: "run"] = "test"
        let snapshot = TelemetryTests.busySnapshot()
        logger.info("\(snapshot.line())", metadata: snapshot.logMetadata().merging(["message": "shadowed"]) { $1 })
        logger.warning("second \"quoted\"\nline")
        logger.debug("below the level: not written")
        try pipe.fileHandleForWriting.close()
        let lines = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            .split(separator: "\n").map(String.init)
        XCTAssertEqual(lines.count, 2, "\(lines)")

        let first = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(lines[0].utf8)) as? [String: Any])
        XCTAssertTrue(lines[0].hasPrefix(#"{"ts":""#), lines[0])
        XCTAssertNotNil((first["ts"] as? String).flatMap { ISO8601DateFormatter.withFractionalSeconds.date(from: $0) })
        XCTAssertEqual(first["level"] as? String, "info")
        XCTAssertEqual(first["label"] as? String, "backdrop.telemetry")
        XCTAssertEqual(first["message"] as? String, snapshot.line())
        XCTAssertEqual(first["_message"] as? String, "shadowed", "a colliding metadata key does not replace the message")
        XCTAssertEqual(first["run"] as? String, "test")
        let telemetry = try XCTUnwrap(first["telemetry"] as? [String: Any])
        let snapshotObject = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(snapshot.json().utf8)) as? [String: Any])
        XCTAssertEqual(Set(telemetry.keys), Set(snapshotObject.filter { !($0.value is NSNull) }.keys),
                       "log fields use the snapshot's JSON keys (an absent value is left out)")
        let interval = try XCTUnwrap(telemetry["interval"] as? [String: Any])
        XCTAssertEqual(try XCTUnwrap(interval["in_fps"] as? Double), snapshot.interval.inputFPS, accuracy: 1e-9, "numbers stay numbers")
        XCTAssertEqual((interval["drops"] as? [[String: Any]])?.first?["reason"] as? String, "replaced-by-newer")

        let second = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(lines[1].utf8)) as? [String: Any])
        XCTAssertEqual(second["message"] as? String, "second \"quoted\"\nline")
        XCTAssertEqual(second["level"] as? String, "warning")
    }

    func testPlainLogHandlerWritesTimeLevelMessage() throws {
        var descriptors: [Int32] = [0, 0]
        XCTAssertEqual(pipe(&descriptors), 0)
        var logger = Logger(label: "backdrop") { PlainLogHandler(label: $0, fileDescriptor: descriptors[1]) }
        logger[metadataKey: "sink"] = "out.mp4"
        logger.error("sink failed", metadata: ["telemetry": ["in_fps": "29.8"]])
        close(descriptors[1])
        let read = FileHandle(fileDescriptor: descriptors[0], closeOnDealloc: true)
        let line = String(decoding: read.readDataToEndOfFile(), as: UTF8.self)
        XCTAssertNotNil(TelemetryTests.match(#"^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}\.\d{3} error sink failed sink=out\.mp4\n$"#, in: line), line)
    }

    func testBootstrapHappensOnce() {
        // Whoever bootstrapped first (this test or another), a later call must not trap.
        _ = BackdropLogging.bootstrap(format: .plain)
        XCTAssertTrue(BackdropLogging.isBootstrapped)
        XCTAssertFalse(BackdropLogging.bootstrap(format: .json))
    }
}

private extension ISO8601DateFormatter {
    static var withFractionalSeconds: ISO8601DateFormatter {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        return formatter
    }
}

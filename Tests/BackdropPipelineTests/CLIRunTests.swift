import BackdropTestSupport
import Foundation
import XCTest

/// `backdrop run`, `devices` and `models` as a user runs them: a separate process, real files.
final class CLIRunTests: PipelineTestCase {
    func testRunWithoutInputWritesTheSyntheticDemoWithJSONTelemetry() throws {
        let output = path("demo.mp4")
        let result = try tool(backdrop, ["run", "--synthetic-frames", "30", "--output", output, "--stats-interval", "0.5",
                                         "--log-format", "json", "--process-size", "320x180"])
        XCTAssertEqual(result.status, 0, result.err)
        XCTAssertEqual(try count(output).video, 30)
        // Every log line is one JSON object; the summary carries the run's totals.
        let objects = result.err.split(separator: "\n").filter { $0.hasPrefix("{") }.compactMap {
            try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any]
        }
        XCTAssertFalse(objects.isEmpty, result.err)
        let summaries = objects.filter { ($0["message"] as? String)?.hasPrefix("telemetry summary") == true }
        XCTAssertEqual(summaries.count, 1, result.err)
        let telemetry = summaries.first?["telemetry"] as? [String: Any]
        let run = telemetry?["run"] as? [String: Any]
        XCTAssertEqual(run?["frames_output"] as? Int, 30, "\(summaries)")
        XCTAssertEqual(run?["frames_dropped"] as? Int, 0)
    }

    func testInterruptAndTerminateStopCleanlyWithAPlayableOutputASummaryAndTheSignalsExitCode() throws {
        for (signal, expectedStatus) in [(SIGINT, Int32(130)), (SIGTERM, Int32(143))] {
            let output = path("interrupted-\(signal).mp4")
            // --loop 0 plays the clip forever, so only the signal ends the run.
            let run = try RunningTool(backdrop, ["run", "--input", Self.talkingHeadClip, "--realtime", "--loop", "0",
                                                 "--output", output, "--stats-interval", "60"])
            XCTAssertTrue(poll(timeout: 120, every: 0.1) { partialFile(for: output).map(playableFrames) ?? 0 >= 25 },
                          "no playable fragment of \(output) within 120 s")
            XCTAssertTrue(run.isRunning, "a clip looped forever is still running")
            run.send(signal)
            let finished = run.wait()
            let log = finished.errors

            XCTAssertEqual(finished.status, expectedStatus, "signal \(signal): scripts can tell an interrupted run\n\(log)")
            let summary = log.split(separator: "\n").first { $0.contains("telemetry summary") }.map(String.init) ?? ""
            let written = summary.firstMatch(of: /out (\d+) dropped/).flatMap { Int($0.1) }
            XCTAssertNotNil(written, log)
            XCTAssertGreaterThanOrEqual(written ?? 0, 25)
            XCTAssertEqual(try count(output).video, written, "the finalized file holds every frame output")
            XCTAssertNil(partialFile(for: output), "the temporary file became the output")
            XCTAssertTrue(log.contains("stopped by signal \(signal)"), log)
        }
    }

    func testDevicesAndModelsReportWhatIsThere() throws {
        let devices = try tool(backdrop, ["devices"])
        XCTAssertEqual(devices.status, 0, devices.err)
        let videoNodes = ((try? FileManager.default.contentsOfDirectory(atPath: "/dev")) ?? []).filter { $0.hasPrefix("video") }
        if videoNodes.isEmpty {
            XCTAssertTrue(devices.out.contains("no cameras found"), devices.out)
        } else {
            // A machine with V4L2 nodes: each camera listed is one of them.
            let listed = devices.out.matches(of: /\/dev\/(video\d+)/).map { String($0.1) }
            XCTAssertTrue(Set(listed).isSubset(of: Set(videoNodes)), devices.out)
            XCTAssertTrue(!listed.isEmpty || devices.out.contains("no cameras found"), devices.out)
        }

        let models = try tool(backdrop, ["models"])
        XCTAssertEqual(models.status, 0, models.out + models.err)
        XCTAssertEqual(models.out.components(separatedBy: "sha256 verified").count - 1, 2, models.out)

        let missing = try tool(backdrop, ["models", "--models", path("nowhere")])
        XCTAssertNotEqual(missing.status, 0)
        XCTAssertTrue(missing.out.contains("MISSING"), missing.out)
    }

    func testBadOptionsFailWithAClearMessage() throws {
        let badSize = try tool(backdrop, ["run", "--process-size", "big"])
        XCTAssertNotEqual(badSize.status, 0)
        XCTAssertTrue(badSize.err.contains("WIDTHxHEIGHT"), badSize.err)
        let noBackground = try tool(backdrop, ["run", "--effect", "replace", "--synthetic-frames", "1", "-o", path("x.mp4")])
        XCTAssertNotEqual(noBackground.status, 0)
        XCTAssertTrue(noBackground.err.contains("--background"), noBackground.err)
        let missingInput = try tool(backdrop, ["run", "--input", path("missing.mp4")])
        XCTAssertNotEqual(missingInput.status, 0)
        XCTAssertTrue(missingInput.err.contains(path("missing.mp4")), missingInput.err)
    }
}

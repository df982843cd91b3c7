import BackdropTestSupport
import BackdropMedia
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
            XCTAssertTrue(devices.out.contains("no virtual cameras (v4l2loopback devices). Create one with `sudo modprobe v4l2loopback"),
                          devices.out)
        } else {
            // A machine with V4L2 nodes: each camera listed is one of them.
            let listed = devices.out.matches(of: /\/dev\/(video\d+)/).map { String($0.1) }
            XCTAssertTrue(Set(listed).isSubset(of: Set(videoNodes)), devices.out)
            XCTAssertTrue(!listed.isEmpty || devices.out.contains("no cameras found"), devices.out)
        }

        let models = try tool(backdrop, ["models"])
        XCTAssertEqual(models.status, 0, models.out + models.err)
        // The runtime and both models, each found and verified.
        XCTAssertEqual(models.out.components(separatedBy: "sha256 verified").count - 1, 3, models.out)

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
        // Camera modes are checked before anything opens; a format may be given as FFmpeg or V4L2 names it.
        let badFormat = try tool(backdrop, ["run", "--camera-format", "h265ish"])
        XCTAssertEqual(badFormat.status, 64, badFormat.err)
        XCTAssertTrue(badFormat.err.contains("--camera-format h265ish is not a camera format"), badFormat.err)
        XCTAssertTrue(badFormat.err.contains("yuyv422") && badFormat.err.contains("MJPG"), badFormat.err)
        let badRate = try tool(backdrop, ["run", "--camera-fps", "0"])
        XCTAssertEqual(badRate.status, 64, badRate.err)
        XCTAssertTrue(badRate.err.contains("--camera-fps"), badRate.err)
        let missingInput = try tool(backdrop, ["run", "--input", path("missing.mp4")])
        XCTAssertNotEqual(missingInput.status, 0)
        XCTAssertTrue(missingInput.err.contains(path("missing.mp4")), missingInput.err)
    }

    // MARK: Network inputs that send nothing (issue 9, case 3)

    /// Polls until `run` ends or `seconds` pass; kills it (and fails) when it is still running.
    private func waitForExit(_ run: RunningTool, within seconds: Double, _ what: String) -> ToolRun? {
        let deadline = Date().addingTimeInterval(seconds)
        while run.isRunning && Date() < deadline { usleep(20_000) }
        if run.isRunning {
            run.send(SIGKILL)
            XCTFail("\(what) still ran after \(seconds) s: \(run.wait().errors)")
            return nil
        }
        return run.wait()
    }

    /// What the run left in the scratch folder besides the files a test made itself.
    private func leftovers(named stem: String) throws -> [String] {
        try FileManager.default.contentsOfDirectory(atPath: folder.path).filter { $0.contains(stem) }
    }

    /// A udp:// input nobody sends to fails once --input-timeout has passed with nothing, naming
    /// the URL, the timeout and what to do, and leaves no output (not even a partial file). The
    /// bound, 4x the timeout plus 4 s, is under the 10 s default: the option is what ended it.
    func testSilentUDPInputTimesOutNamingTheURLAndLeavesNothing() throws {
        let url = "udp://127.0.0.1:\(try LoopbackPorts.free(.udp))"
        let output = path("silent.mp4")
        let timeout = 1.0
        let started = Date()
        let run = try RunningTool(backdrop, ["run", "--input", url, "--input-timeout", "1", "--output", output])
        guard let finished = waitForExit(run, within: timeout * 4 + 4, "a silent udp input with --input-timeout 1") else { return }
        let elapsed = Date().timeIntervalSince(started)

        XCTAssertNotEqual(finished.status, 0, finished.errors)
        XCTAssertGreaterThanOrEqual(elapsed, timeout, "it waited the timeout out first")
        XCTAssertTrue(finished.errors.contains("nothing arrived from \(url) for 1 s"), finished.errors)
        XCTAssertTrue(finished.errors.contains("--input-timeout"), finished.errors)
        XCTAssertTrue(finished.errors.contains("sender"), finished.errors)
        XCTAssertEqual(try leftovers(named: "silent"), [], "no output file and no .silent.*.partial.* file")

        let refused = try tool(backdrop, ["run", "--input", url, "--input-timeout", "0"])
        XCTAssertNotEqual(refused.status, 0)
        XCTAssertTrue(refused.err.contains("--input-timeout"), refused.err)
    }

    /// Ctrl-C while a udp:// input is still opening (waiting for a first packet that never comes,
    /// with a timeout far away) ends the run promptly: exit 130, said so, nothing written.
    func testInterruptWhileAStreamIsStillOpeningEndsPromptly() throws {
        let port = try LoopbackPorts.free(.udp)
        let output = path("waiting.mp4")
        let run = try RunningTool(backdrop, ["run", "--input", "udp://127.0.0.1:\(port)", "--input-timeout", "120",
                                             "--output", output])
        // The run is opening the input once it has bound the port (/proc/net/udp lists it).
        XCTAssertTrue(LoopbackPorts.waitUntilBound(port, .udp, timeout: 30), "the run never bound udp port \(port)")
        run.send(SIGINT)
        guard let finished = waitForExit(run, within: 15, "a run sent SIGINT while opening its input") else { return }
        XCTAssertEqual(finished.status, 130, finished.errors)
        XCTAssertTrue(finished.errors.contains("stopped by signal 2 while opening"), finished.errors)
        XCTAssertEqual(try leftovers(named: "waiting"), [])
    }

    /// Ctrl-C while a live udp:// input has gone quiet (the run blocked reading it, the timeout far
    /// away) stops the run promptly with the output finalized: what arrived is in the file, and
    /// no partial file is left.
    func testInterruptWhileALiveStreamIsSilentFinalizesTheOutput() throws {
        let port = try LoopbackPorts.free(.udp)
        let url = "udp://127.0.0.1:\(port)"
        let output = path("quiet.mp4")
        let run = try RunningTool(backdrop, ["run", "--input", url, "--input-timeout", "120", "--effect", "none", "--no-faces",
                                             "--output", output])
        XCTAssertTrue(LoopbackPorts.waitUntilBound(port, .udp, timeout: 30), "the run never bound udp port \(port)")
        // The run opens the stream twice (a first look, then with reconnects on): send until the
        // output has been opened, which happens once the second open has succeeded.
        let sender = try startTestStream(to: url, seconds: 20)
        defer { if sender.isRunning { sender.terminate() } }
        func written() -> Int {
            ((try? leftovers(named: "quiet")) ?? []).compactMap {
                (try? FileManager.default.attributesOfItem(atPath: folder.appendingPathComponent($0).path))?[.size] as? Int
            }.max() ?? 0
        }
        // Let some frames through (the fragmented output grows), then go quiet.
        XCTAssertTrue(poll(timeout: 30) { !run.isRunning || written() >= 20_000 }, "the run's output never grew")
        XCTAssertTrue(run.isRunning, "the run ended while the stream was still sending")
        sender.terminate()
        sender.waitUntilExit()

        run.send(SIGINT)
        guard let finished = waitForExit(run, within: 15, "a run sent SIGINT while its stream was silent") else { return }
        XCTAssertEqual(finished.status, 130, "128 + SIGINT: \(finished.errors)")
        XCTAssertTrue(finished.errors.contains("stopped by signal 2"), finished.errors)
        XCTAssertGreaterThan(try count(output).video, 0, "what arrived is in the finalized file")
        XCTAssertEqual(try leftovers(named: "quiet"), ["quiet.mp4"], "no partial file left")
    }

    // MARK: Rotated phone video (issue 9, case 4)

    /// A clip whose display matrix turns it (rotate=270 is how a phone's portrait video reads:
    /// ffprobe shows rotation=-90) is written upright at the displayed size, with no rotation left
    /// in the output, and looks like ffmpeg's own autorotated decode of the input.
    func testRotatedInputIsWrittenUprightAtItsDisplayedSize() throws {
        let stored = path("stored.mp4")
        let made = try tool("ffmpeg", ["-v", "error", "-y", "-f", "lavfi", "-i", "testsrc=size=320x240:rate=25", "-t", "0.4",
                                       "-c:v", "libx264", "-pix_fmt", "yuv420p", stored])
        XCTAssertEqual(made.status, 0, made.err)
        for tag in [90, 270] {
            let clip = path("phone-\(tag).mp4")
            let tagged = try tool("ffmpeg", ["-v", "error", "-y", "-i", stored, "-c", "copy", "-metadata:s:v:0", "rotate=\(tag)", clip])
            XCTAssertEqual(tagged.status, 0, tagged.err)
            let output = path("upright-\(tag).mp4")
            let run = try tool(backdrop, ["run", "--input", clip, "--effect", "none", "--no-faces", "--output", output])
            XCTAssertEqual(run.status, 0, run.err)

            let probe = try tool("ffprobe", ["-v", "error", "-select_streams", "v:0", "-show_entries",
                                             "stream=width,height:stream_side_data=rotation", "-of", "compact", output])
            XCTAssertTrue(probe.out.contains("width=240|height=320"), "rotate=\(tag): \(probe.out)")
            XCTAssertFalse(probe.out.contains("rotation="), "rotate=\(tag): the output needs no turn: \(probe.out)")

            // ffmpeg autorotates its decode of the input; the output's first frame must look the same.
            let reference = path("reference-\(tag).png"), written = path("written-\(tag).png")
            XCTAssertEqual(try tool("ffmpeg", ["-v", "error", "-y", "-i", clip, "-frames:v", "1", reference]).status, 0)
            XCTAssertEqual(try tool("ffmpeg", ["-v", "error", "-y", "-i", output, "-frames:v", "1", written]).status, 0)
            let expected = try ImageFile.read(reference), got = try ImageFile.read(written)
            XCTAssertEqual(got.width, expected.width)
            XCTAssertEqual(got.height, expected.height)
            guard got.pixels.count == expected.pixels.count else { continue }
            let total = zip(got.pixels, expected.pixels).reduce(0) { $0 + abs(Int($1.0) - Int($1.1)) }
            let mean = Double(total) / Double(got.pixels.count)
            XCTAssertLessThan(mean, 6, "rotate=\(tag): the output is the upright picture (twice through H.264)")
            let flipped = zip(got.pixels, expected.pixels.reversed()).reduce(0) { $0 + abs(Int($1.0) - Int($1.1)) }
            XCTAssertGreaterThan(Double(flipped) / Double(got.pixels.count), 20, "the comparison tells the picture from it reversed")
        }
    }

    // MARK: Truncated input (issue 9, case 8)

    /// A faststart mp4 cut at 30% of its bytes still runs to the cut and exits 0 (the output is good
    /// up to there), but warns that the file looks truncated with the frames decoded and declared,
    /// and the summary says so too; one cut before its first whole frame fails, leaving nothing;
    /// the whole file's run says nothing of the kind.
    func testTruncatedInputWarnsWithDecodedAndDeclaredFrames() throws {
        let whole = path("whole.mp4")
        let made = try tool("ffmpeg", ["-v", "error", "-y", "-f", "lavfi", "-i", "testsrc=size=320x240:rate=25", "-t", "3",
                                       "-c:v", "libx264", "-pix_fmt", "yuv420p", "-g", "1", "-movflags", "+faststart", whole])
        XCTAssertEqual(made.status, 0, made.err)
        let bytes = try Data(contentsOf: URL(fileURLWithPath: whole))
        let cut = path("cut.mp4")
        try bytes.prefix(bytes.count * 30 / 100).write(to: URL(fileURLWithPath: cut))

        let output = path("cut-out.mp4")
        let run = try tool(backdrop, ["run", "--input", cut, "--effect", "none", "--no-faces", "--output", output])
        XCTAssertEqual(run.status, 0, run.err)
        let warning = run.err.split(separator: "\n").first { $0.contains("warning") && $0.contains("ended early") }.map(String.init)
        let line = try XCTUnwrap(warning, run.err)
        XCTAssertTrue(line.contains(cut), line)
        XCTAssertTrue(line.contains("truncated"), line)
        let numbers = try XCTUnwrap(line.firstMatch(of: /decoded (\d+) of the (\d+) frames/), line)
        let decoded = try XCTUnwrap(Int(numbers.1)), declared = try XCTUnwrap(Int(numbers.2))
        XCTAssertEqual(declared, 75)
        XCTAssertGreaterThan(decoded, 10)
        XCTAssertLessThan(decoded, 40)
        XCTAssertEqual(try count(output).video, decoded, "every decoded frame is in the output")
        let summary = try XCTUnwrap(run.err.split(separator: "\n").first { $0.contains("telemetry summary") }, run.err)
        XCTAssertTrue(summary.contains("| input ended early: decoded \(decoded) of 75 declared frames"), String(summary))

        // Cut just after the index, inside the first frame: nothing good to write, so the run fails.
        let mdat = try XCTUnwrap(bytes.range(of: Data("mdat".utf8)), "faststart puts the index before the frames")
        let stub = path("stub.mp4")
        try bytes.prefix(mdat.upperBound + 100).write(to: URL(fileURLWithPath: stub))
        let failed = try tool(backdrop, ["run", "--input", stub, "--effect", "none", "--no-faces", "--output", path("stub-out.mp4")])
        XCTAssertNotEqual(failed.status, 0, failed.err)
        XCTAssertTrue(failed.err.contains(stub) && failed.err.contains("declares 75 frames") && failed.err.contains("truncated"),
                      failed.err)
        XCTAssertEqual(try leftovers(named: "stub-out"), [], "no output of no frames")

        let fine = try tool(backdrop, ["run", "--input", whole, "--effect", "none", "--no-faces", "--output", path("whole-out.mp4")])
        XCTAssertEqual(fine.status, 0, fine.err)
        XCTAssertFalse(fine.err.contains("ended early"), fine.err)
        XCTAssertTrue(fine.err.contains("telemetry summary"), fine.err)
    }
}

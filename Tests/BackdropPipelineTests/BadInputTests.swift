import BackdropTestSupport
import Foundation
import XCTest

/// `backdrop run` given bad input, as a new user gives it: each case ends with a clear message
/// naming the cause, a non-zero exit, no file lost or replaced (checked by checksum) and no
/// hidden `.partial` file left behind. (Numbers refer to the hardening issue's list.)
final class BadInputTests: PipelineTestCase {
    /// A short real clip (the talking head's first second), the input most cases read.
    private func clip(_ name: String = "input.mp4") throws -> String {
        let clip = path(name)
        let made = try tool("ffmpeg", ["-v", "error", "-y", "-i", Self.talkingHeadClip, "-frames:v", "25", "-c", "copy", clip])
        XCTAssertEqual(made.status, 0, made.err)
        return clip
    }

    private func checksum(_ file: String) throws -> String {
        try tool("sha256sum", [file]).out.split(separator: " ").first.map(String.init) ?? ""
    }

    /// The user-facing lines of a run's errors (MediaPipe's own log lines left out).
    private func messages(_ errors: String) -> String {
        errors.split(separator: "\n").filter { !$0.hasPrefix("W0000") && !$0.hasPrefix("I0000") && !$0.hasPrefix("E0000") }
            .joined(separator: "\n")
    }

    // MARK: 2. An output that is an input or another output

    func testAnOutputThatIsTheInputOrAnotherOutputIsRefusedBeforeAnythingIsWritten() throws {
        let input = try clip()
        let background = path("beach.png")
        XCTAssertEqual(try tool("ffmpeg", ["-v", "error", "-y", "-f", "lavfi", "-i", "testsrc=size=64x48", "-frames:v", "1", background]).status, 0)
        try FileManager.default.createSymbolicLink(atPath: path("link.mp4"), withDestinationPath: input)
        try FileManager.default.linkItem(atPath: input, toPath: path("hard.mp4"))
        try FileManager.default.createDirectory(atPath: path("sub"), withIntermediateDirectories: true)
        let before = try [input, background].map(checksum)

        let cases: [(arguments: [String], mentions: [String])] = [
            (["--input", input, "--output", input], ["--output", "same file as --input"]),
            (["--input", input, "--output", path("link.mp4")], ["link.mp4", "same file as --input"]),
            (["--input", input, "--output", path("hard.mp4")], ["hard.mp4", "same file as --input"]),
            (["--input", input, "--output", path("sub/../input.mp4")], ["sub/../input.mp4", "same file as --input"]),
            (["--input", input, "--output", path("out.mp4"), "--mask-output", path("out.mp4")], ["--mask-output", "same file"]),
            (["--input", input, "--output", path("out.mp4"), "--output", path("sub/../out.mp4")], ["are the same file"]),
            (["--input", input, "--effect", "replace", "--background", background, "--output", background],
             ["same file as --background"]),
            (["--input", input, "--output", path("out.mp4"), "--mask-output", input], ["--mask-output", "same file as --input"]),
        ]
        for (arguments, mentions) in cases {
            let run = try tool(backdrop, ["run"] + arguments)
            XCTAssertEqual(run.status, 64, "\(arguments): a usage error\n\(run.err)")
            for text in mentions { XCTAssertTrue(run.err.contains(text), "\(arguments): the message names \(text)\n\(run.err)") }
            XCTAssertTrue(run.err.contains("Usage: backdrop run"), "\(arguments): run's own usage\n\(run.err)")
        }
        XCTAssertEqual(try [input, background].map(checksum), before, "the inputs are unchanged")
        XCTAssertFalse(FileManager.default.fileExists(atPath: path("out.mp4")))
        XCTAssertEqual(partialFiles(in: folder.path), [])
    }

    // MARK: 5. Options out of range

    func testEveryOutOfRangeOptionIsAUsageErrorNamingItsRange() throws {
        let cases: [(arguments: [String], mentions: String)] = [
            (["--stats-interval", "0"], "--stats-interval takes 0.1 to 86400"),
            (["--stats-interval=-1"], "--stats-interval takes 0.1 to 86400"),
            (["--input-timeout", "0"], "--input-timeout takes 0.1 to 86400"),
            (["--blur-strength=-3"], "--blur-strength takes 1 to 100"),
            (["--process-size", "99999x99999"], "--process-size takes WIDTHxHEIGHT with each side 16 to 4096"),
            (["--process-size", "big"], "'big' is invalid for '--process-size <WIDTHxHEIGHT>'"),
            (["--camera-size", "0x0"], "--camera-size takes WIDTHxHEIGHT with each side"),
            (["--max-fps", "0"], "--max-fps takes 0.1 to 1000"),
            (["--max-fps=-5"], "--max-fps takes 0.1 to 1000"),
            (["--max-fps", "nan"], "--max-fps takes 0.1 to 1000"),
            (["--feather=-5"], "--feather takes 0 to 64"),
            (["--memory-budget=-5"], "--memory-budget takes 0 to"),
            (["--swap-every=-1"], "--swap-every takes 0 to"),
            (["--queue-depth", "0"], "--queue-depth takes 1 to 64"),
            (["--loop=-1"], "--loop takes 0 to"),
            (["--synthetic-frames", "0"], "--synthetic-frames takes 1 to"),
            (["--effect", "color", "--color", "blue"], "'blue' is invalid for '--color <RRGGBB>'"),
            (["--effect", "replace"], "--effect replace needs --background"),
            (["--output", path("x.avi")], "the extension .avi is no container"),
            (["--output", path("noextension")], "the name has no extension"),
            (["--lossless", "--output", path("x.mp4")], "--lossless writes FFV1, which needs Matroska"),
            (["--mask-alpha", "--mask-output", path("m.mp4")], "--mask-alpha writes RGBA"),
            (["--loop", "2"], "--loop needs a file --input"),
        ]
        for (arguments, mentions) in cases {
            let run = try tool(backdrop, ["run"] + arguments)
            XCTAssertEqual(run.status, 64, "\(arguments)\n\(run.err)")
            XCTAssertTrue(run.err.contains(mentions), "\(arguments): expected \"\(mentions)\"\n\(run.err)")
            XCTAssertTrue(run.err.contains("Usage: backdrop run"), "\(arguments): run's usage, not the root's\n\(run.err)")
            XCTAssertFalse(run.err.contains("Fatal error"), "\(arguments): no crash\n\(run.err)")
        }
        let faces = try tool(backdrop, ["segment", path("any.png"), "--max-faces", "0"])
        XCTAssertEqual(faces.status, 64, faces.err)
        XCTAssertTrue(faces.err.contains("--max-faces takes 1 to 8"), faces.err)
        XCTAssertFalse(faces.err.contains("numFaces"), "the option's name, not the library's\n\(faces.err)")
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: folder.path), [], "nothing was written")
    }

    // MARK: 6. A mask video in MP4

    func testMaskOutputInMP4IsGrayH264WithEveryFrame() throws {
        let output = path("out.mp4"), mask = path("mask.mp4")
        let run = try tool(backdrop, ["run", "--synthetic-frames", "12", "--process-size", "320x180", "--no-faces",
                                      "--output", output, "--mask-output", mask])
        XCTAssertEqual(run.status, 0, run.err)
        XCTAssertEqual(try count(mask).video, 12)
        let stream = try tool("ffprobe", ["-v", "error", "-select_streams", "v:0", "-show_entries", "stream=codec_name,width,height",
                                          "-of", "csv=p=0", mask]).out.trimmingCharacters(in: .whitespacesAndNewlines)
        XCTAssertEqual(stream, "h264,1280,720")
        // Person and background both show: the gray frame holds near-black and near-white pixels.
        let gray = try XCTUnwrap(runTool("ffmpeg", ["-v", "error", "-i", mask, "-frames:v", "1", "-f", "rawvideo", "-pix_fmt", "gray", "-"]).output)
        XCTAssertEqual(gray.count, 1280 * 720)
        XCTAssertGreaterThan(gray.filter { $0 < 30 }.count, 1280 * 720 / 10, "background pixels")
        XCTAssertGreaterThan(gray.filter { $0 > 225 }.count, 1280 * 720 / 50, "person pixels")
    }

    // MARK: 7. Failures leave no partial file and replace nothing

    func testFailuresBeforeTheFirstFrameDeleteTheirPartialAndKeepTheEarlierOutput() throws {
        let input = try clip()
        let output = path("result.mp4"), mask = path("result-mask.mkv")
        try Data("an earlier good result".utf8).write(to: URL(fileURLWithPath: output))
        let earlier = try checksum(output)
        try FileManager.default.createDirectory(atPath: path("bad-models"), withIntermediateDirectories: true)
        for name in ["selfie_segmenter.tflite", "face_landmarker.task"] {
            try Data("not a model".utf8).write(to: URL(fileURLWithPath: path("bad-models/\(name)")))
        }
        let textFile = path("notes.txt")
        try Data("not a library".utf8).write(to: URL(fileURLWithPath: textFile))

        let cases: [(arguments: [String], environment: [String: String], mentions: [String])] = [
            (["--models", path("no-models")], [:], ["model file not found", path("no-models")]),
            (["--models", path("bad-models")], [:], ["rejected the model", "bad-models"]),
            ([], ["BACKDROP_MEDIAPIPE_LIB": path("nowhere/libmediapipe.so")], ["MediaPipe runtime", "nowhere/libmediapipe.so"]),
            ([], ["BACKDROP_MEDIAPIPE_LIB": textFile], ["not a shared library", "notes.txt"]),
        ]
        for (arguments, extra, mentions) in cases {
            let environment = ProcessInfo.processInfo.environment.merging(extra) { $1 }
            let run = try tool(backdrop, ["run", "--input", input, "--output", output, "--mask-output", mask] + arguments,
                               environment: environment)
            let printed = messages(run.err)
            XCTAssertEqual(run.status, 1, "\(arguments) \(extra)\n\(printed)")
            for text in mentions { XCTAssertTrue(printed.contains(text), "\(arguments) \(extra): names \(text)\n\(printed)") }
            XCTAssertFalse(printed.contains("libegl1") && mentions.contains("not a shared library"),
                           "no dependency hint for a file that is no library\n\(printed)")
            XCTAssertEqual(try checksum(output), earlier, "\(arguments) \(extra): the earlier result is untouched")
            XCTAssertFalse(FileManager.default.fileExists(atPath: mask))
            XCTAssertEqual(partialFiles(in: folder.path), [], "\(arguments) \(extra): no partial left")
        }
    }

    func testAFailureMidRunKeepsTheFramesSoFarUnderTheirOwnNameAndReportsTheCauseOnce() throws {
        // Two outputs: a file, and raw frames to a reader that goes away after a few frames.
        let output = path("result.mp4")
        try Data("an earlier good result".utf8).write(to: URL(fileURLWithPath: output))
        let earlier = try checksum(output)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: backdrop)
        process.arguments = ["run", "--input", try clip(), "--realtime", "--loop", "0", "--effect", "none", "--no-faces",
                             "--output", output, "--output", "-"]
        let frames = Pipe(), errors = Pipe()
        process.standardOutput = frames
        process.standardError = errors
        try process.run()
        let frameBytes = 352 * 288 * 3
        var received = 0
        while received < 5 * frameBytes {
            let chunk = frames.fileHandleForReading.availableData
            if chunk.isEmpty { break }
            received += chunk.count
        }
        try frames.fileHandleForReading.close()  // the reader goes away
        let log = messages(String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self))
        process.waitUntilExit()

        XCTAssertEqual(process.terminationStatus, 1, log)
        XCTAssertEqual(log.components(separatedBy: "closed the pipe").count - 1, 1, "the cause is reported once\n\(log)")
        XCTAssertEqual(try checksum(output), earlier, "the earlier result is not replaced by a half-written one")
        let kept = path("result.incomplete.mp4")
        XCTAssertTrue(log.contains(kept), "the message says where the frames are\n\(log)")
        let written = log.firstMatch(of: /closed the pipe after (\d+) frames/).flatMap { Int($0.1) }
        let summaryOut = log.firstMatch(of: /telemetry summary: .* out (\d+) dropped/).flatMap { Int($0.1) }
        XCTAssertNotNil(written, log)
        XCTAssertEqual(summaryOut, written, "the summary counts the frames every output got\n\(log)")
        XCTAssertGreaterThanOrEqual(playableFrames(kept), written ?? 1, "the frames so far play")
        XCTAssertEqual(partialFiles(in: folder.path), [])
    }

    func testADoubleInterruptLeavesNoPartialAndAKilledRunIsPointedOutByTheNext() throws {
        let input = try clip()
        let interrupted = path("twice.mp4")
        let run = try RunningTool(backdrop, ["run", "--input", input, "--realtime", "--loop", "0", "--effect", "none",
                                             "--no-faces", "--output", interrupted])
        XCTAssertTrue(poll(timeout: 120, every: 0.1) { partialFile(for: interrupted).map(playableFrames) ?? 0 >= 25 })
        run.send(SIGINT)
        Thread.sleep(forTimeInterval: 0.1)  // two presses of Ctrl-C, not one merged signal
        run.send(SIGINT)
        let finished = run.wait()
        XCTAssertEqual(finished.status, 130, messages(finished.errors))
        XCTAssertEqual(partialFiles(in: folder.path), [], "finalized by the first or removed by the second: no partial either way")

        let killedOutput = path("killed.mp4")
        let killed = try RunningTool(backdrop, ["run", "--input", input, "--realtime", "--loop", "0", "--effect", "none",
                                                "--no-faces", "--output", killedOutput])
        XCTAssertTrue(poll(timeout: 120, every: 0.1) { partialFile(for: killedOutput).map(playableFrames) ?? 0 >= 25 })
        killed.send(SIGKILL)
        _ = killed.wait()
        let stale = try XCTUnwrap(partialFile(for: killedOutput), "a killed run cannot clean up")
        let next = try tool(backdrop, ["run", "--input", input, "--effect", "none", "--no-faces", "--output", killedOutput])
        XCTAssertEqual(next.status, 0, next.err)
        XCTAssertTrue(next.err.contains("was killed before it finished") && next.err.contains(stale),
                      "the next run says where the stale partial is\n\(messages(next.err))")
        XCTAssertTrue(FileManager.default.fileExists(atPath: stale), "it is the user's to keep or delete")
    }

    // MARK: 10. Messages that name the cause

    func testWriteFailuresNameTheRealCause() throws {
        let input = try clip()
        let special = try tool(backdrop, ["run", "--input", input, "--effect", "none", "--no-faces", "--output", "/proc/self/out.mp4"])
        XCTAssertEqual(special.status, 1, special.err)
        XCTAssertTrue(special.err.contains("special file system"), messages(special.err))
        XCTAssertFalse(special.err.contains("its folder does not exist"), messages(special.err))
    }
}

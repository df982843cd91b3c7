@testable import BackdropCLI
import BackdropCore
import BackdropMedia
import BackdropTestSupport
import Foundation
import XCTest

/// `backdrop run --config FILE` as a user runs it: the built tool, a real file rewritten while it
/// runs, SIGHUP, and the frames it writes.
final class CLIConfigReloadTests: PipelineTestCase {
    /// `backdrop` with its log going to `log` as it runs (the shell `exec`s it: same process, so
    /// signals reach it), for tests that wait on a log line mid-run.
    private func start(_ arguments: [String], log: String) throws -> RunningTool {
        try RunningTool("/bin/sh", ["-c", "exec \"$0\" \"$@\" 2>'\(log)'", backdrop] + arguments)
    }

    private func read(_ log: String) -> String { (try? String(contentsOfFile: log, encoding: .utf8)) ?? "" }

    /// The share of a PNG's pixels that are exactly green-screen green (0, 255, 0); nil while unreadable.
    private func greenShare(_ path: String) -> Double? {
        guard let image = try? ImageFile.read(path, as: .rgb), image.width * image.height > 0 else { return nil }
        var green = 0
        for index in stride(from: 0, to: image.pixels.count, by: 3)
        where image.pixels[index] == 0 && image.pixels[index + 1] == 255 && image.pixels[index + 2] == 0 {
            green += 1
        }
        return Double(green) / Double(image.width * image.height)
    }

    /// The snapshots written so far, oldest first (their names carry the frame index).
    private func snapshots(_ stem: String) -> [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? []).filter { $0.hasPrefix(stem) }.sorted().map(path)
    }

    /// Whether a snapshot after the first `after` ones shows the green screen (or, `false`, does not).
    private func newSnapshot(_ stem: String, after: Int, green: Bool) -> Bool {
        snapshots(stem).dropFirst(after).reversed().contains { file in greenShare(file).map { ($0 > 0.2) == green } ?? false }
    }

    private func config(_ lines: [String]) -> String { lines.joined(separator: "\n") + "\n" }

    /// The file is rewritten while the run goes: SIGHUP applies the new effect to the frames that
    /// follow and logs it, names an output change as needing a restart (frames keep going where
    /// they went), and a bad file afterwards leaves the run going with its settings, logging why.
    func testSIGHUPAppliesTheRewrittenFileAndABadOneKeepsTheRunGoing() throws {
        let file = path("backdrop.toml"), log = path("run.log")
        let common = ["input = \(RunConfigFile.tomlString(Self.talkingHeadClip))", "realtime = true", "loop = 0",
                      "faces = false", "max-fps = 10", "stats-interval = 1"]
        try config(common + ["effect = \"blur\"", "output = [\"\(path("snap-%06d.png"))\"]"]).write(toFile: file, atomically: true, encoding: .utf8)
        let run = try start(["run", "--config", file], log: log)
        defer { if run.isRunning { run.send(SIGKILL) } }

        XCTAssertTrue(poll(timeout: 120, every: 0.2) { !run.isRunning || newSnapshot("snap-", after: 0, green: false) },
                      "no blurred snapshot within 120 s:\n\(read(log))")
        XCTAssertFalse(snapshots("snap-").contains { (greenShare($0) ?? 0) > 0.01 }, "blur paints no pure green")

        try config(common + ["effect = \"green-screen\"", "output = [\"\(path("moved-%06d.png"))\"]"]).write(toFile: file, atomically: true, encoding: .utf8)
        run.send(SIGHUP)
        XCTAssertTrue(poll(timeout: 30, every: 0.1) { read(log).contains("config reloaded from \(file)") }, read(log))
        let reloaded = read(log).split(separator: "\n").first { $0.contains("config reloaded") }.map(String.init) ?? ""
        XCTAssertTrue(reloaded.contains("applied effect = \"green-screen\" (was \"blur\")"), reloaded)
        XCTAssertTrue(reloaded.contains("needs a restart, kept as it was: output = "), reloaded)
        let beforeSwitch = snapshots("snap-").count
        XCTAssertTrue(poll(timeout: 60, every: 0.2) { newSnapshot("snap-", after: beforeSwitch, green: true) },
                      "no green-screen snapshot after the reload:\n\(read(log))")
        XCTAssertEqual(snapshots("moved-"), [], "the output stays as the run started it")

        try config(common + ["effect = \"blur\"", "output = [\"\(path("snap-%06d.png"))\"]", "blur-strength = 500"])
            .write(toFile: file, atomically: true, encoding: .utf8)
        run.send(SIGHUP)
        let refusal = "config reload failed, the run keeps its settings: \(file):\(common.count + 3): --blur-strength takes 1 to 100"
        XCTAssertTrue(poll(timeout: 30, every: 0.1) { read(log).contains(refusal) }, read(log))
        let afterRefusal = snapshots("snap-").count
        XCTAssertTrue(poll(timeout: 60, every: 0.2) { newSnapshot("snap-", after: afterRefusal, green: true) },
                      "the run kept the green screen after the bad file:\n\(read(log))")
        XCTAssertTrue(run.isRunning, read(log))

        run.send(SIGINT)
        let finished = run.wait()
        XCTAssertEqual(finished.status, 130, read(log))
    }

    /// Without --config, SIGHUP (a closed terminal, a stray `kill -HUP`) is logged and the run goes on.
    func testSIGHUPWithoutAConfigFileIsLoggedAndIgnored() throws {
        let log = path("run.log")
        let run = try start(["run", "--input", Self.talkingHeadClip, "--realtime", "--loop", "0", "--no-output",
                             "--effect", "none", "--no-faces"], log: log)
        defer { if run.isRunning { run.send(SIGKILL) } }
        XCTAssertTrue(poll(timeout: 60, every: 0.1) { !run.isRunning || read(log).contains("running live") }, read(log))
        run.send(SIGHUP)
        XCTAssertTrue(poll(timeout: 30, every: 0.1) { !run.isRunning || read(log).contains("SIGHUP ignored") }, read(log))
        XCTAssertTrue(run.isRunning, "SIGHUP ended the run:\n\(read(log))")
        run.send(SIGINT)
        XCTAssertEqual(run.wait().status, 130, read(log))
    }

    /// A bad file refuses the start like a bad option: exit 64, the file's line and key named, nothing written.
    func testABadFileAtTheStartIsAUsageErrorNamingTheLine() throws {
        let file = path("bad.toml"), output = path("never.mp4")
        try config(["output = [\"\(output)\"]", "effect = \"blur\"", "blur_strength = 20"]).write(toFile: file, atomically: true, encoding: .utf8)
        let result = try tool(backdrop, ["run", "--config", file])
        XCTAssertEqual(result.status, 64, result.err)
        XCTAssertTrue(result.err.contains("Error: \(file):3: unknown key \"blur_strength\""), result.err)
        XCTAssertTrue(result.err.contains("did you mean blur-strength?"), result.err)
        XCTAssertFalse(FileManager.default.fileExists(atPath: output))

        // The command line wins: the file's bad effect is never parsed when --effect is given.
        try config(["effect = \"sepia\"", "synthetic-frames = 2", "output = [\"\(output)\"]", "faces = false"])
            .write(toFile: file, atomically: true, encoding: .utf8)
        let overridden = try tool(backdrop, ["run", "--config", file, "--effect", "none", "--process-size", "160x90"])
        XCTAssertEqual(overridden.status, 0, overridden.err)
        XCTAssertEqual(try count(output).video, 2, "synthetic-frames and output came from the file")
    }
}

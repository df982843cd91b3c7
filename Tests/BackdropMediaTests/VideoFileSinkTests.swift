import BackdropCore
import BackdropMedia
import BackdropTestSupport
import Foundation
import XCTest

/// What a file sink does when things go wrong: the target is replaced only by finish(), failures
/// name the file and the cause, and a killed writer leaves a playable temporary file.
final class VideoFileSinkTests: SinkTestCase {
    private let goodBytes = Data("an earlier good file".utf8)

    func testTargetIsReplacedOnlyByFinish() throws {
        let file = path("clip.mkv")
        try goodBytes.write(to: URL(fileURLWithPath: file))
        let sink = try VideoFileSink(path: file, width: 320, height: 240, frameRate: 30)
        let temporary = URL(fileURLWithPath: sink.temporaryPath)
        XCTAssertEqual(temporary.deletingLastPathComponent().path, folder.path, "the temporary file is beside the target")
        XCTAssertTrue(temporary.lastPathComponent.hasPrefix(".clip."), temporary.lastPathComponent)
        XCTAssertTrue(temporary.lastPathComponent.hasSuffix(".partial.mkv"), temporary.lastPathComponent)

        // 75 frames: the encoder holds a few, and the first one-second cluster is complete once the next begins.
        for index in 0..<75 { try sink.write(Self.gradient(index)) }
        XCTAssertEqual(try Data(contentsOf: URL(fileURLWithPath: file)), goodBytes, "the target changed before finish()")
        XCTAssertGreaterThan(try probe(sink.temporaryPath).frames, 0, "the temporary file is playable while being written")

        try sink.finish()
        try sink.finish()  // idempotent
        XCTAssertEqual(try probe(file).frames, 75)
        XCTAssertEqual(try folderContents(), ["clip.mkv"])
    }

    func testFailedOrAbandonedRunsLeaveTheEarlierFileUntouched() throws {
        let file = path("keep.mp4")
        try goodBytes.write(to: URL(fileURLWithPath: file))

        // A bad frame is refused without ending the sink; cancel() deletes the temporary file.
        let cancelled = try VideoFileSink(path: file, width: 320, height: 240, frameRate: 30)
        try cancelled.write(Self.gradient(0))
        XCTAssertThrowsError(try cancelled.write(Self.gradient(1, width: 160, height: 120))) { error in
            guard case let .invalidImage(path, reason) = error as? MediaError else { return XCTFail("\(error)") }
            XCTAssertEqual(path, file)
            XCTAssertTrue(reason.contains("160x120") && reason.contains("320x240"), reason)
        }
        XCTAssertThrowsError(try cancelled.write(Self.gradient(0)), "a timestamp that does not increase is refused")
        try cancelled.write(Self.gradient(1))
        cancelled.cancel()
        XCTAssertEqual(try folderContents(), ["keep.mp4"])

        // A sink dropped without finish() (a crashed pipeline) keeps its temporary file, playable.
        var temporary = ""
        do {
            let abandoned = try VideoFileSink(path: file, width: 320, height: 240, frameRate: 30)
            temporary = abandoned.temporaryPath
            for index in 0..<70 { try abandoned.write(Self.gradient(index)) }
        }
        XCTAssertEqual(try Data(contentsOf: URL(fileURLWithPath: file)), goodBytes)
        XCTAssertGreaterThanOrEqual(try probe(temporary).frames, 30, "whole fragments of the abandoned run play")
    }

    func testKilledWriterLeavesAPlayableTemporaryFile() throws {
        // Backdrop's writer in another process (backdrop-bench write-synthetic, built beside this test
        // bundle), killed with SIGKILL once its first fragment is on disk, in a 30-second file.
        let tool = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath()
            .deletingLastPathComponent().appendingPathComponent("backdrop-bench")
        XCTAssertTrue(FileManager.default.isExecutableFile(atPath: tool.path), "build backdrop-bench first: \(tool.path)")
        var writers: [(RunningTool, String)] = []
        for name in ["killed.mkv", "killed.mp4"] {
            writers.append((try RunningTool(tool.path, ["write-synthetic", "--output", path(name), "--frames", "900", "--fps", "30"]), name))
        }
        // Kill once each temporary file plays its first whole one-second fragment (polled, not slept).
        for (_, name) in writers {
            XCTAssertTrue(poll(timeout: 60, every: 0.1) { partialFile(for: path(name)).map(playableFrames) ?? 0 >= 30 },
                          "\(name): no playable fragment within 60 s")
        }
        for (writer, name) in writers {
            XCTAssertTrue(writer.isRunning, "\(name): the writer ended before it was killed")
            writer.send(SIGKILL)
            let printed = writer.wait().stdout
            XCTAssertEqual(writer.process.terminationReason, .uncaughtSignal)
            let temporary = try XCTUnwrap(printed.split(separator: "\n").first { $0.hasPrefix("temporary: ") })
                .dropFirst("temporary: ".count)
            XCTAssertFalse(FileManager.default.fileExists(atPath: path(name)), "\(name): a killed run must not create the target")
            let frames = try probe(String(temporary)).frames
            print("\(name): killed after its first fragment, temporary file plays \(frames) frames")
            XCTAssertGreaterThanOrEqual(frames, 30, "\(name): at least the first one-second fragment plays")
        }
    }

    // MARK: Errors name the file and the cause

    func testMissingFolderAndFolderTargetsAreWriteFailures() {
        let missing = path("no/such/folder/clip.mkv")
        assertWriteFailed(try VideoFileSink(path: missing, width: 320, height: 240, frameRate: 30), path: missing,
                          mentions: "folder does not exist")
        assertWriteFailed(try VideoFileSink(path: path("x.mkv/clip.mkv"), width: 320, height: 240, frameRate: 30),
                          path: path("x.mkv/clip.mkv"), mentions: "does not exist")
        let notFolder = path("plain")
        XCTAssertTrue(FileManager.default.createFile(atPath: notFolder, contents: Data()))
        assertWriteFailed(try VideoFileSink(path: notFolder + "/clip.mkv", width: 320, height: 240, frameRate: 30),
                          path: notFolder + "/clip.mkv", mentions: "not a folder")
        let folderTarget = path("videos.mkv")
        try? FileManager.default.createDirectory(atPath: folderTarget, withIntermediateDirectories: false)
        assertWriteFailed(try VideoFileSink(path: folderTarget, width: 320, height: 240, frameRate: 30), path: folderTarget,
                          mentions: "it is a folder")
    }

    func testUnsupportedChoicesAreRefusedBeforeWriting() throws {
        let cases: [(() throws -> VideoFileSink, String)] = [
            ({ try VideoFileSink(path: self.path("a.avi"), width: 320, height: 240, frameRate: 30) }, ".avi"),
            ({ try VideoFileSink(path: self.path("a.mp4"), width: 320, height: 240, frameRate: 30, codec: .lossless) }, "Matroska"),
            ({ try VideoFileSink(path: self.path("a.mkv"), width: 320, height: 240, frameRate: 30, pixelFormat: .rgba) }, "alpha"),
            ({ try VideoFileSink(path: self.path("a.mkv"), width: 321, height: 240, frameRate: 30) }, "even"),
            ({ try VideoFileSink(path: self.path("a.mkv"), width: 320, height: 240, frameRate: 0) }, "frame rate"),
            ({ try VideoFileSink(path: self.path("a.mkv"), width: 320, height: 240, frameRate: 30,
                                 codec: .h264(crf: 18, preset: "warp-speed")) }, "warp-speed"),
        ]
        for (make, mention) in cases {
            XCTAssertThrowsError(try make()) { error in
                guard case let .unsupported(_, reason) = error as? MediaError else { return XCTFail("\(mention): \(error)") }
                XCTAssertTrue(reason.contains(mention), "\(mention): \(reason)")
            }
        }
        XCTAssertEqual(try folderContents(), [], "refused sinks leave nothing behind")
    }

    /// ENOSPC for real: a 128 KiB tmpfs (the tests run as root, which may mount one).
    func testFullDiskIsReportedAndTheEarlierFileSurvives() throws {
        let small = try mountTmpfs("small", options: "size=128k")
        defer { unmount(small) }
        let file = small + "/clip.mkv"
        try goodBytes.write(to: URL(fileURLWithPath: file))
        let sink = try VideoFileSink(path: file, width: 128, height: 96, frameRate: 30, codec: .lossless)
        var generator = SystemRandomNumberGenerator()
        var frame = VideoFrame(image: PixelImage(width: 128, height: 96, format: .rgb))
        var failure: MediaError?
        for index in 0..<300 where failure == nil {
            // Noise does not compress: 36 KiB a frame fills the disk within the first cluster or two.
            for byte in frame.image.pixels.indices { frame.image.pixels[byte] = UInt8.random(in: 0...255, using: &generator) }
            frame.timestampMicroseconds = Int64(index) * 33_333
            do { try sink.write(frame) } catch { failure = error }
        }
        guard case let .writeFailed(path, reason) = try XCTUnwrap(failure, "300 noise frames fit in 128 KiB?") else {
            return XCTFail("\(String(describing: failure))")
        }
        print("full disk after \(sink.framesWritten) frames: \(failure!)")
        XCTAssertEqual(path, file)
        XCTAssertTrue(reason.contains("disk full") && reason.contains(sink.temporaryPath), reason)
        XCTAssertThrowsError(try sink.finish(), "finish() after a full disk fails too")
        XCTAssertEqual(try Data(contentsOf: URL(fileURLWithPath: file)), goodBytes, "the earlier file survives a full disk")
    }

    func testReadOnlyFileSystemIsAWriteFailure() throws {
        let readOnly = try mountTmpfs("readonly", options: "ro,size=64k")
        defer { unmount(readOnly) }
        assertWriteFailed(try VideoFileSink(path: readOnly + "/clip.mkv", width: 320, height: 240, frameRate: 30),
                          path: readOnly + "/clip.mkv", mentions: "read-only file system")
    }

    // MARK: Helpers

    private func assertWriteFailed(_ make: @autoclosure () throws -> VideoFileSink, path: String, mentions: String,
                                   line: UInt = #line) {
        XCTAssertThrowsError(try make(), line: line) { error in
            guard case let .writeFailed(failedPath, reason) = error as? MediaError else {
                return XCTFail("expected writeFailed, got \(error)", line: line)
            }
            XCTAssertEqual(failedPath, path, line: line)
            XCTAssertTrue(reason.contains(mentions), reason, line: line)
            XCTAssertTrue("\(error)".contains(path), line: line)
        }
    }

    private func mountTmpfs(_ name: String, options: String) throws -> String {
        let mountPoint = path(name)
        try FileManager.default.createDirectory(atPath: mountPoint, withIntermediateDirectories: false)
        let result = try run("mount", ["-t", "tmpfs", "-o", options, "tmpfs", mountPoint])
        XCTAssertEqual(result.status, 0, "mounting a tmpfs needs root (these tests run as root): \(result.errors)")
        return mountPoint
    }

    private func unmount(_ mountPoint: String) {
        _ = try? run("umount", [mountPoint])
    }
}

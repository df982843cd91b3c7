import BackdropCore
import Foundation
import CFFmpeg
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Encodes frames into a video file (H.264 or lossless FFV1, in Matroska or fragmented MP4),
/// optionally with the source's audio passed through unchanged.
///
/// The video is written to a hidden temporary file beside `path` (``temporaryPath``, e.g.
/// `.clip.3f9a0c.partial.mkv`) and renamed to `path` only by ``finish()``, so a failed run never
/// replaces a good file. Both containers are written in fragments of about a second, flushed as they
/// complete, so if the process is killed the temporary file stays playable up to its last fragment;
/// nothing cleans it up (rename it to keep it, or delete it). A sink released without `finish()`
/// leaves it the same way; ``cancel()`` deletes it.
public final class VideoFileSink: VideoSink {
    public let path: String
    /// Where the video is written until `finish()` renames it to `path`.
    public let temporaryPath: String
    public let codec: VideoCodec
    public let container: Container
    public var name: String { path }
    public var framesWritten: Int { session.framesWritten }

    private let session: MuxerSession
    private var done = false

    /// - Parameters:
    ///   - container: nil picks it from the extension (.mkv: Matroska; .mp4, .m4v, .mov: fragmented MP4).
    ///   - pixelFormat: what the video keeps, whatever the frames' format: `.rgb` colour; `.gray` one
    ///     channel (masks; H.264 stores it full-range in luma); `.rgba` colour with alpha (`.lossless` only).
    ///   - audio: a source's audio track, whose packets `writeAudio` then passes through (one from a
    ///     BackdropMedia source; another framework's track fails with `.unsupported`).
    public init(path: String, width: Int, height: Int, frameRate: Double, codec: VideoCodec = .standard,
                container: Container? = nil, pixelFormat: PixelFormat = .rgb, audio: (any AudioTrackDescription)? = nil) throws(MediaError) {
        guard let container = container ?? Container(path: path) else {
            let found = Container.fileExtension(of: path)
            throw .unsupported(path: path, reason: "\(found.isEmpty ? "the name has no extension, so" : "the extension .\(found) is") no video "
                + "container this writer knows; end the name in .mkv, .mp4 or .mov")
        }
        let layout = try Self.encoderLayout(codec, container, pixelFormat, path: path)
        let audio = try AudioTrack.ffmpeg(audio, for: path)
        try Self.checkNotAFolder(path)
        self.path = path
        self.codec = codec
        self.container = container
        temporaryPath = AtomicFile.partialPath(beside: path)
        close(try AtomicFile.createExclusive(temporaryPath, for: path))
        do {
            session = try MuxerSession(.init(
                formatName: container == .matroska ? "matroska" : "mp4",
                url: "file:" + temporaryPath,  // "file:" so a ':' in the name is not read as a protocol
                target: .file(path: path, temporary: temporaryPath),
                kind: layout.kind, pixelFormat: layout.pixelFormat, fullRange: layout.fullRange,
                width: width, height: height, frameRate: frameRate, audio: audio,
                formatOptions: container == .matroska
                    // Clusters of at most a second (the default is five) bound what a kill loses.
                    ? [("cluster_time_limit", "1000")]
                    // A fragment per keyframe (one a second) after an empty moov: playable when cut short.
                    : [("movflags", "frag_keyframe+empty_moov+default_base_moof")]))
        } catch {
            unlink(temporaryPath)  // nothing worth keeping was written
            throw error
        }
    }

    public func write(_ frame: VideoFrame) throws(MediaError) {
        try session.write(frame)
    }

    public func writeAudio(_ packet: any MediaPacket) throws(MediaError) {
        try session.writeAudio(packet)
    }

    /// Drains the encoder, completes the file, syncs it to disk and renames it to `path`. On failure
    /// the temporary file is kept (playable up to its last fragment) and the error names it.
    public func finish() throws(MediaError) {
        if done { return }
        try session.finish()
        try AtomicFile.commit(temporaryPath, to: path)
        done = true
    }

    /// For a run that failed: with no frame written, deletes the temporary file (as `cancel()`);
    /// otherwise completes it (playable to its last frame) and renames it to a visible name of its
    /// own beside `path` (`clip.incomplete.mp4`, numbered if taken), which it returns. Whatever
    /// was at `path` stays. When even completing fails, the temporary file is kept and returned.
    public func finishAfterFailure() -> String? {
        if done { return nil }
        if framesWritten == 0 {
            cancel()
            return nil
        }
        done = true
        do {
            try session.finish()
            let kept = Self.incompletePath(for: path)
            try AtomicFile.commit(temporaryPath, to: kept)
            return kept
        } catch {
            return temporaryPath
        }
    }

    /// `clip.mp4` -> `clip.incomplete.mp4`, or `clip.incomplete-2.mp4` and so on when that exists.
    static func incompletePath(for path: String) -> String {
        let stem = (path as NSString).deletingPathExtension, fileExtension = (path as NSString).pathExtension
        let suffix = fileExtension.isEmpty ? "" : ".\(fileExtension)"
        var candidate = "\(stem).incomplete\(suffix)", number = 2
        while access(candidate, F_OK) == 0 {
            candidate = "\(stem).incomplete-\(number)\(suffix)"
            number += 1
        }
        return candidate
    }

    /// Temporary files that earlier runs writing `path` left behind (a run killed with SIGKILL,
    /// or by a power cut, cannot clean up): each holds the frames written before the kill.
    public static func staleTemporaryFiles(for path: String) -> [String] {
        let (folder, prefix, suffix) = AtomicFile.partialParts(beside: path)
        let names = (try? FileManager.default.contentsOfDirectory(atPath: folder.isEmpty ? "." : folder)) ?? []
        return names.filter { $0.hasPrefix(prefix) && $0.hasSuffix(suffix) }.sorted().map { folder + $0 }
    }

    /// Stops writing and deletes the temporary file; whatever was at `path` stays. Idempotent.
    public func cancel() {
        if done { return }
        done = true
        session.abandon()
        unlink(temporaryPath)
    }

    /// The encoder and the pixel format it takes for a codec, container and stored layout.
    private static func encoderLayout(_ codec: VideoCodec, _ container: Container, _ pixelFormat: PixelFormat,
                                      path: String) throws(MediaError) -> (kind: VideoEncoder.Kind, pixelFormat: AVPixelFormat, fullRange: Bool) {
        switch codec {
        case let .h264(crf, preset):
            let kind = VideoEncoder.Kind.h264(crf: crf, preset: preset, zeroLatency: false, maxBitrate: nil)
            switch pixelFormat {
            case .rgb: return (kind, AV_PIX_FMT_YUV420P, false)
            // Gray in full-range luma: mask values 0 and 255 survive as 0 and 255.
            case .gray: return (kind, AV_PIX_FMT_YUV420P, true)
            case .rgba:
                throw .unsupported(path: path, reason: "H.264 has no alpha channel; write RGBA with codec: .lossless to a .mkv file")
            }
        case .lossless:
            guard container == .matroska else {
                throw .unsupported(path: path, reason: "lossless video (FFV1) needs Matroska; end the name in .mkv")
            }
            // FFV1's packed RGB layouts are BGR0/BGRA in memory on little-endian machines (all Swift
            // platforms); libswscale reorders RGB into them exactly.
            switch pixelFormat {
            case .rgb: return (.ffv1, AV_PIX_FMT_BGR0, true)
            case .rgba: return (.ffv1, AV_PIX_FMT_BGRA, true)
            case .gray: return (.ffv1, AV_PIX_FMT_GRAY8, true)
            }
        }
    }

    /// A folder at `path` would only fail at the final rename, after all the work: refuse it now.
    private static func checkNotAFolder(_ path: String) throws(MediaError) {
        var info = stat()
        if stat(path, &info) == 0 && info.st_mode & S_IFMT == S_IFDIR {
            throw .writeFailed(path: path, reason: "it is a folder; name a file inside it")
        }
    }
}

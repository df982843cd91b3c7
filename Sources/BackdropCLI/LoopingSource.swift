import BackdropCore
import BackdropMedia
import Foundation

/// Plays a file `passes` times in a row (0: forever), as one continuous source with timestamps and
/// indices carrying on from pass to pass. For soak runs (`backdrop run --loop N`).
///
/// The passes are one FFmpeg input: a small ffconcat list naming the file once per pass, read by
/// libavformat's concat demuxer, so one decoder serves every pass and timestamps continue by
/// themselves. (Reopening the file at each end instead made RSS climb by some 70 MB over the first
/// dozens of passes: each new H.264 decoder starts new frame threads, and glibc keeps what their
/// arenas freed.) A list holds at most `passesPerList` passes; `--loop 0` and longer loops reopen a
/// new list when one ends, offsetting timestamps and indices so they still increase.
final class LoopingSource: VideoSource {
    static let passesPerList = 10_000

    private let url: String
    private let options: SourceOptions
    private let passes: Int
    private var current: FFmpegVideoSource?
    private var passesOpened = 0
    /// Added to the current list's timestamps and indices.
    private var timestampOffset: Int64 = 0
    private var indexOffset = 0
    /// The last timestamp and index delivered (with offsets), and one frame's duration.
    private var lastTimestamp: Int64 = -1
    private var lastIndex = -1
    private let frameDuration: Int64
    private var delivered = SourceStatistics()
    /// Damaged frames skipped by earlier lists.
    private var damagedBefore = 0
    /// Where each list is written; removed again as soon as the list is open.
    private let folder: URL

    let name: String
    let width: Int
    let height: Int
    let frameRate: Double?
    /// Audio is not looped (a pass-through muxer would get timestamps that jump back).
    let audioTrack: AudioTrack? = nil
    var audioHandler: ((EncodedPacket) -> Void)?
    var statistics: SourceStatistics { delivered }
    /// Frames over all passes, when the file states its length and the passes are bounded.
    let estimatedFrameCount: Int?

    init(url: String, options: SourceOptions, passes: Int) throws(MediaError) {
        var options = options
        options.keepAudio = false
        // The file alone first: it must open as video, and it gives the size, rate and length.
        let single = try FFmpegVideoSource(url: url, options: options)
        name = url
        width = single.width
        height = single.height
        frameRate = single.frameRate
        estimatedFrameCount = passes > 0 ? single.estimatedFrameCount.map { $0 * passes } : nil
        single.close()
        if let rate = frameRate, rate > 0, rate.isFinite {
            frameDuration = max(1, Int64((1_000_000 / rate).rounded()))
        } else {
            frameDuration = 33_333
        }
        options.formatOptions["safe"] = "0"  // the list names the file by its absolute path
        self.url = URL(fileURLWithPath: url).standardizedFileURL.path
        self.options = options
        self.passes = max(0, passes)
        folder = FileManager.default.temporaryDirectory.appendingPathComponent("backdrop-loop-\(getpid())-\(UInt32.random(in: 0...UInt32.max))")
        current = try openList()
    }

    deinit { close() }

    /// Writes an ffconcat list for the next passes and opens it.
    private func openList() throws(MediaError) -> FFmpegVideoSource? {
        let remaining = passes == 0 ? Self.passesPerList : min(Self.passesPerList, passes - passesOpened)
        guard remaining > 0 else { return nil }
        let quoted = "'" + url.replacingOccurrences(of: "'", with: "'\\''") + "'"
        let list = "ffconcat version 1.0\n" + String(repeating: "file \(quoted)\n", count: remaining)
        let path = folder.appendingPathComponent("loop-\(passesOpened).ffconcat")
        do {
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
            try list.write(to: path, atomically: true, encoding: .utf8)
        } catch {
            throw .writeFailed(path: path.path, reason: "\(error)")
        }
        // The concat demuxer reads the whole list when it opens, so the file can go at once.
        defer { try? FileManager.default.removeItem(at: folder) }
        let source = try FFmpegVideoSource(url: path.path, options: options)
        passesOpened += remaining
        return source
    }

    func read(into frame: inout VideoFrame) throws(MediaError) -> Bool {
        while let source = current {
            if try source.read(into: &frame) {
                frame.timestampMicroseconds += timestampOffset
                frame.index += indexOffset
                lastTimestamp = frame.timestampMicroseconds
                lastIndex = frame.index
                delivered.framesDelivered += 1
                delivered.damagedFramesSkipped = damagedBefore + source.statistics.damagedFramesSkipped
                return true
            }
            // This list has ended: open the next one, unless that was the last (or it gave nothing).
            damagedBefore += source.statistics.damagedFramesSkipped
            source.close()
            current = nil
            guard lastIndex + 1 > indexOffset else { return false }
            timestampOffset = lastTimestamp + frameDuration
            indexOffset = lastIndex + 1
            do {
                current = try openList()
            } catch {
                // A stop also ends a list's reading early: it ends the loop, it is no failure.
                if case .interrupted = error { return false }
                throw error
            }
        }
        return false
    }

    func close() {
        current?.close()
        current = nil
    }
}

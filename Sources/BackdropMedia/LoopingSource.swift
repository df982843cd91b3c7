import BackdropCore
import Foundation

/// Plays a file `passes` times in a row (0: forever), as one continuous source with timestamps and
/// indices carrying on from pass to pass. For soak runs (`backdrop run --loop N`) and an app's
/// looping background clip.
///
/// The passes are one FFmpeg input: a small ffconcat list naming the file once per pass, read by
/// libavformat's concat demuxer, so one decoder serves every pass and timestamps continue by
/// themselves. (Reopening the file at each end instead made RSS climb by some 70 MB over the first
/// dozens of passes: each new H.264 decoder starts new frame threads, and glibc keeps what their
/// arenas freed.) A list holds at most `passesPerList` passes; `passes: 0` and longer loops open a
/// new list when one ends, its timestamps placed one frame after the last by a `SourceTimeline`
/// (so they still increase, and a damaged file's huge timestamps cannot overflow).
///
/// Statistics: counts over every pass; `framesDeclared` is the file's count times `passes` (nil
/// when looping forever), and `endedEarly` says the loop ended well short of it, as a single
/// truncated file does (each pass of a cut file is cut).
public final class LoopingSource: VideoSource {
    public static let passesPerList = 10_000

    private let url: String
    private let options: SourceOptions
    private let passes: Int
    private let passesPerList: Int
    private var current: FFmpegVideoSource?
    private var passesOpened = 0
    private var timeline = SourceTimeline()
    /// Added to the current list's indices.
    private var indexOffset = 0
    private var lastIndex = -1
    private let frameDuration: Int64
    private var counted = SourceStatistics()
    /// The statistics of the lists already ended.
    private var earlier = SourceStatistics()
    private let frameCountIsStated: Bool
    /// Where each list is written; removed again as soon as the list is open.
    private let folder: URL

    public let name: String
    public let width: Int
    public let height: Int
    public let frameRate: Double?
    /// Audio is not looped (a pass-through muxer would get timestamps that jump back).
    public let audioTrack: (any AudioTrackDescription)? = nil
    public var audioHandler: ((any MediaPacket) -> Void)?
    public var statistics: SourceStatistics {
        var combined = earlier
        if let current { combined.add(current.statistics) }
        combined.framesDeclared = counted.framesDeclared
        combined.endedEarly = counted.endedEarly
        return combined
    }
    /// Frames over all passes, when the file states its length and the passes are bounded.
    public var estimatedFrameCount: Int? { counted.framesDeclared }

    /// Opens `url`, a file (not a camera or a live stream: those cannot be played again), to play
    /// `passes` times (0: until closed). Audio is dropped (see `audioTrack`).
    public convenience init(url: String, options: SourceOptions = .init(), passes: Int) throws(MediaError) {
        try self.init(url: url, options: options, passes: passes, passesPerList: Self.passesPerList)
    }

    /// `passesPerList` below the default makes the tests' short loops cross from list to list.
    init(url: String, options: SourceOptions, passes: Int, passesPerList: Int) throws(MediaError) {
        var options = options
        options.keepAudio = false
        // The file alone first: it must open as a video file, and it gives the size, rate and length.
        let single = try FFmpegVideoSource(url: url, options: options)
        defer { single.close() }
        guard !single.isLive else {
            throw .unsupported(path: url, reason: "it is a camera or a live stream, which cannot be played again; "
                + "loop a file")
        }
        name = url
        width = single.width
        height = single.height
        frameRate = single.frameRate
        frameCountIsStated = single.frameCountIsStated
        if passes > 0, let perPass = single.statistics.framesDeclared {
            let total = perPass.multipliedReportingOverflow(by: passes)
            counted.framesDeclared = total.overflow ? nil : total.partialValue
        }
        if let rate = frameRate, rate > 0, rate.isFinite {
            frameDuration = max(1, Int64((1_000_000 / rate).rounded()))
        } else {
            frameDuration = 33_333
        }
        options.formatOptions["safe"] = "0"  // the list names the file by its absolute path
        self.url = URL(fileURLWithPath: url).standardizedFileURL.path
        self.options = options
        self.passes = max(0, passes)
        self.passesPerList = max(1, passesPerList)
        folder = FileManager.default.temporaryDirectory
            .appendingPathComponent("backdrop-loop-\(getpid())-\(UInt32.random(in: 0...UInt32.max))")
        current = try openList()
    }

    deinit { close() }

    /// Writes an ffconcat list for the next passes and opens it; nil when every pass was opened.
    private func openList() throws(MediaError) -> FFmpegVideoSource? {
        let remaining = passes == 0 ? passesPerList : min(passesPerList, passes - passesOpened)
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

    public func read(into frame: inout VideoFrame) throws(MediaError) -> Bool {
        while let source = current {
            if try source.read(into: &frame) {
                guard let placed = timeline.place(frame.timestampMicroseconds, step: frameDuration) else {
                    throw .unsupported(path: name, reason: "after \(passesOpened) passes its timestamps run past the "
                        + "largest a frame can carry (\(Int64.max) microseconds); loop fewer times")
                }
                frame.timestampMicroseconds = placed
                frame.index += indexOffset
                lastIndex = frame.index
                return true
            }
            // This list has ended: open the next one, unless that was the last (or it gave nothing).
            earlier.add(source.statistics)
            source.close()
            current = nil
            guard lastIndex + 1 > indexOffset else { return false }
            indexOffset = lastIndex + 1
            timeline.restart(after: frameDuration, step: frameDuration)
            do {
                current = try openList()
            } catch {
                // A stop also ends a list's reading early: it ends the loop, it is no failure.
                if case .interrupted = error { return false }
                throw error
            }
            if current == nil { noteShortfall() }
        }
        return false
    }

    /// At the end of the last pass: whether the passes together gave well under what the file
    /// declares for them. A stop that cut the last pass short is no shortfall.
    private func noteShortfall() {
        guard let declared = counted.framesDeclared, !(options.stopRequest?.isRequested ?? false) else { return }
        let seen = earlier.framesDelivered + earlier.damagedFramesSkipped
        counted.endedEarly = SourceStatistics.fallsShort(seen: seen, of: declared, countIsStated: frameCountIsStated)
    }

    public func close() {
        if let current { earlier.add(current.statistics) }
        current?.close()
        current = nil
    }
}

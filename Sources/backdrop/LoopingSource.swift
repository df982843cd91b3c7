import BackdropCore
import BackdropMedia

/// Plays a file `passes` times in a row (0: forever), as one continuous source: at the end of a
/// pass the file is reopened, and timestamps and indices carry on from where the last pass ended
/// (FFmpegVideoSource starts each opening at 0). For soak runs (`backdrop run --loop N`).
///
/// Reopening costs an FFmpeg open once per pass; reading between reopenings is the wrapped
/// source's own, allocation-free path.
final class LoopingSource: VideoSource {
    private let url: String
    private let options: SourceOptions
    private let passes: Int
    private var current: FFmpegVideoSource?
    private var pass = 0
    /// Added to the current pass's timestamps and indices.
    private var timestampOffset: Int64 = 0
    private var indexOffset = 0
    /// The last timestamp and index delivered (with offsets), and one frame's duration.
    private var lastTimestamp: Int64 = -1
    private var lastIndex = -1
    private let frameDuration: Int64
    private var delivered = SourceStatistics()
    /// Damaged frames skipped in earlier passes.
    private var damagedBefore = 0

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
        let first = try FFmpegVideoSource(url: url, options: options)
        self.url = url
        self.options = options
        self.passes = max(0, passes)
        current = first
        name = url
        width = first.width
        height = first.height
        frameRate = first.frameRate
        if let rate = first.frameRate, rate > 0, rate.isFinite {
            frameDuration = max(1, Int64((1_000_000 / rate).rounded()))
        } else {
            frameDuration = 33_333
        }
        estimatedFrameCount = passes > 0 ? first.estimatedFrameCount.map { $0 * passes } : nil
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
            // End of this pass: reopen unless that was the last one (or the file gave nothing).
            damagedBefore += source.statistics.damagedFramesSkipped
            source.close()
            current = nil
            pass += 1
            guard passes == 0 || pass < passes, lastIndex + 1 > indexOffset else { return false }
            timestampOffset = lastTimestamp + frameDuration
            indexOffset = lastIndex + 1
            current = try FFmpegVideoSource(url: url, options: options)
        }
        return false
    }

    func close() {
        current?.close()
        current = nil
    }
}

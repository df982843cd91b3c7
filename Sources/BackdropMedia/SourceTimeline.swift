/// Turns a stream's own timestamps into the microseconds a source reports: from 0 at the first
/// frame and strictly increasing, whatever the input does (missing timestamps, duplicates, jumps
/// back, a restart after reconnecting, timestamps at the ends of the 64-bit range).
///
/// The arithmetic is done in 128 bits: a damaged file can hold any 64-bit timestamp (and FFmpeg's
/// rescaling turns one that overflows into Int64.min), and shifting such a stream to start at 0
/// overflowed 64 bits (found by fuzzing: issue 9).
struct SourceTimeline {
    /// Added to a raw timestamp to place it; nil until a frame with a timestamp arrives (and again
    /// after a restart).
    private var shift: Int128?
    private var last: Int128?
    private var restartAt: Int128 = 0
    /// Live streams only: a forward jump larger than this is a discontinuity, not a real pause, and
    /// is closed up (a camera or stream never jumps hours ahead; a file may legitimately pause).
    private let maximumJump: Int128?

    init(maximumJump: Int64? = nil) {
        self.maximumJump = maximumJump.map { Int128($0) }
    }

    /// The timestamp for a frame whose raw timestamp is `raw` (microseconds, nil when the stream
    /// has none); `step` is the nominal frame duration, used to fill gaps. nil when the frame can
    /// only be placed past `Int64.max` (the stream's clock ran past 292,000 years).
    mutating func place(_ raw: Int64?, step: Int64) -> Int64? {
        let step = Int128(max(1, step))
        let raw = raw.map { Int128($0) }
        var placed: Int128
        if let raw, let shift {
            placed = raw + shift
        } else if let raw {
            shift = restartAt - raw
            placed = restartAt
        } else {
            placed = last.map { $0 + step } ?? restartAt
        }
        if let last {
            let jumpedTooFar = maximumJump.map { placed - last > $0 } ?? false
            if placed <= last || jumpedTooFar {
                // Continue one frame on, and keep later frames in step with this one.
                placed = last + step
                if let raw { shift = placed - raw }
            }
        }
        guard let placedMicroseconds = Int64(exactly: placed) else { return nil }
        last = placed
        return placedMicroseconds
    }

    /// After a reconnect: the next frame comes `gap` (microseconds, at least one `step`) after the last.
    mutating func restart(after gap: Int64, step: Int64) {
        shift = nil
        restartAt = last.map { $0 + Int128(max(gap, max(1, step))) } ?? 0
    }
}

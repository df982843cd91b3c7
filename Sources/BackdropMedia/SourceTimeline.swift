/// Turns a stream's own timestamps into the microseconds a source reports: from 0 at the first
/// frame and strictly increasing, whatever the input does (missing timestamps, duplicates, jumps
/// back, a restart after reconnecting).
struct SourceTimeline {
    /// Added to a raw timestamp to place it; nil until a frame with a timestamp arrives (and again
    /// after a restart).
    private var shift: Int64?
    private var last: Int64?
    private var restartAt: Int64 = 0
    /// Live streams only: a forward jump larger than this is a discontinuity, not a real pause, and
    /// is closed up (a camera or stream never jumps hours ahead; a file may legitimately pause).
    private let maximumJump: Int64?

    init(maximumJump: Int64? = nil) {
        self.maximumJump = maximumJump
    }

    /// The timestamp for a frame whose raw timestamp is `raw` (microseconds, nil when the stream
    /// has none); `step` is the nominal frame duration, used to fill gaps.
    mutating func place(_ raw: Int64?, step: Int64) -> Int64 {
        let step = max(1, step)
        var placed: Int64
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
        last = placed
        return placed
    }

    /// After a reconnect: the next frame comes `gap` (microseconds, at least one `step`) after the last.
    mutating func restart(after gap: Int64, step: Int64) {
        shift = nil
        restartAt = last.map { $0 + max(gap, max(1, step)) } ?? 0
    }
}

import BackdropCore
import CFFmpeg
import Synchronization

/// libavformat's interrupt callback (`AVIOInterruptCB`) for one input: blocking I/O (opening,
/// probing, `av_read_frame`) gives up with `AVERROR_EXIT` when the current deadline has passed
/// (a network input that sends nothing) or when a stop was requested (the source's `StopRequest`, e.g. on Ctrl-C),
/// and `reason` then says which. Bytes arriving (the input's read position moving) push the
/// deadline back, so the timeout bounds the silence, not the whole open or probe. Allocates
/// nothing after `init`.
///
/// `@unchecked Sendable`: `context` is set only while no I/O runs (before opening, after closing),
/// and libavformat calls the callback on the thread doing the input's I/O; the rest is atomic.
final class SourceInterrupt: @unchecked Sendable {
    enum Reason: Int, Sendable {
        case none = 0
        /// Nothing arrived before the deadline.
        case timedOut
        /// A stop was requested.
        case stopped
    }

    /// Nanoseconds allowed from `arm()` until I/O gives up; 0: no deadline.
    let timeoutNanoseconds: Int64
    private let stopRequest: StopRequest?
    /// Monotonic nanoseconds after which I/O gives up (Int64.max: none).
    private let deadline = Atomic<Int64>(.max)
    private let fired = Atomic<Int>(Reason.none.rawValue)
    /// The input whose read position shows progress (nil until `watch`; its `pb` may still be nil).
    private var context: UnsafeMutablePointer<AVFormatContext>?
    private let lastPosition = Atomic<Int64>(-1)

    /// - Parameters:
    ///   - timeout: seconds allowed per `arm()`; nil or non-positive: no deadline.
    ///   - stopRequest: when given, its request interrupts too.
    init(timeout: Double?, stopRequest: StopRequest?) {
        if let timeout, timeout > 0, timeout.isFinite {
            timeoutNanoseconds = Int64(min(timeout, 1e6) * 1_000_000_000)
        } else {
            timeoutNanoseconds = 0
        }
        self.stopRequest = stopRequest
    }

    /// Watches `context`'s read position for progress (set before avformat_open_input; cleared
    /// when the context is freed).
    func watch(_ context: UnsafeMutablePointer<AVFormatContext>?) {
        self.context = context
        lastPosition.store(-1, ordering: .relaxed)
    }

    /// Starts a new wait: the deadline is `timeout` from now, and an earlier timeout is forgotten.
    func arm() {
        fired.store(Reason.none.rawValue, ordering: .relaxed)
        deadline.store(timeoutNanoseconds > 0 ? SourceClock.nanoseconds() + timeoutNanoseconds : .max, ordering: .relaxed)
    }

    /// Why I/O was last interrupted since `arm()` (`.none`: it was not).
    var reason: Reason { Reason(rawValue: fired.load(ordering: .relaxed)) ?? .none }

    /// Seconds allowed per wait, for messages.
    var timeoutSeconds: Double { Double(timeoutNanoseconds) / 1e9 }

    /// Whether a stop was requested (regardless of whether I/O noticed it yet).
    var stopRequested: Bool { stopRequest?.isRequested ?? false }

    /// Called by libavformat, on the thread doing the I/O, while it waits: nonzero ends the wait.
    fileprivate func check() -> Int32 {
        if stopRequested {
            fired.store(Reason.stopped.rawValue, ordering: .relaxed)
            return 1
        }
        let due = deadline.load(ordering: .relaxed)
        guard due != .max else { return 0 }
        if let io = context?.pointee.pb, io.pointee.pos != lastPosition.load(ordering: .relaxed) {
            // Bytes came in since the last look: the silence starts again now.
            lastPosition.store(io.pointee.pos, ordering: .relaxed)
            deadline.store(SourceClock.nanoseconds() + timeoutNanoseconds, ordering: .relaxed)
            return 0
        }
        if SourceClock.nanoseconds() > due {
            fired.store(Reason.timedOut.rawValue, ordering: .relaxed)
            return 1
        }
        return 0
    }

    /// The callback to put in `AVFormatContext.interrupt_callback`; valid while `self` lives.
    var callback: AVIOInterruptCB {
        AVIOInterruptCB(callback: { opaque in
            guard let opaque else { return 0 }
            return Unmanaged<SourceInterrupt>.fromOpaque(opaque).takeUnretainedValue().check()
        }, opaque: Unmanaged.passUnretained(self).toOpaque())
    }

    /// Sleeps `seconds` (a reconnect's back-off) in short slices; false when a stop was requested.
    static func sleep(seconds: Double, stopRequest: StopRequest?) -> Bool {
        let end = SourceClock.nanoseconds() + Int64(max(0, seconds) * 1_000_000_000)
        while true {
            if stopRequest?.isRequested ?? false { return false }
            let left = end - SourceClock.nanoseconds()
            if left <= 0 { return true }
            SourceClock.sleep(nanoseconds: min(left, 50_000_000))
        }
    }
}

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Holds frames back until their timestamp has passed on the wall clock, counted from the first
/// frame, so a file plays at its own rate as a camera would. Allocates nothing.
struct SourcePacer {
    /// Monotonic time (ns) that timestamp 0 corresponds to; set by the first frame.
    private var origin: Int64?
    /// A source that falls this far behind (slow consumer, stalled network) starts the clock
    /// again rather than delivering a burst of late frames.
    private static let maximumLateness: Int64 = 1_000_000_000

    mutating func wait(until timestampMicroseconds: Int64) {
        let now = SourceClock.nanoseconds()
        let due = timestampMicroseconds * 1_000
        guard let origin else {
            origin = now - due
            return
        }
        let ahead = origin + due - now
        if ahead > 0 {
            SourceClock.sleep(nanoseconds: ahead)
        } else if -ahead > Self.maximumLateness {
            self.origin = now - due
        }
    }
}

/// The monotonic clock sources measure and wait with.
enum SourceClock {
    static func nanoseconds() -> Int64 {
        var now = timespec()
        clock_gettime(CLOCK_MONOTONIC, &now)
        return Int64(now.tv_sec) * 1_000_000_000 + Int64(now.tv_nsec)
    }

    static func sleep(nanoseconds: Int64) {
        guard nanoseconds > 0 else { return }
        var request = timespec(tv_sec: Int(nanoseconds / 1_000_000_000), tv_nsec: Int(nanoseconds % 1_000_000_000))
        var remaining = timespec()
        while nanosleep(&request, &remaining) != 0 && errno == EINTR { request = remaining }
    }

    static func sleep(seconds: Double) {
        sleep(nanoseconds: Int64(max(0, seconds) * 1_000_000_000))
    }
}

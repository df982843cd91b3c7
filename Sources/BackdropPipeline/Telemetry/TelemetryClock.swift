#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The one clock telemetry uses: monotonic seconds as a `Double`.
///
/// Every telemetry API that needs the time takes `now` as a parameter (defaulting to this clock),
/// so tests can drive intervals with made-up times instead of sleeping. Monotonic, because wall-clock
/// jumps (NTP, suspend) would otherwise produce negative intervals or absurd frame rates.
public enum TelemetryClock {
    /// Seconds since an arbitrary fixed point (boot, usually). Allocates nothing.
    public static func now() -> Double {
        var time = timespec()
        clock_gettime(CLOCK_MONOTONIC, &time)
        return Double(time.tv_sec) + Double(time.tv_nsec) / 1_000_000_000
    }
}

extension Duration {
    /// The duration in seconds, as a Double: how `TelemetryClock` and the CLI's options count.
    public var seconds: Double {
        let (seconds, attoseconds) = components
        return Double(seconds) + Double(attoseconds) / 1e18
    }
}

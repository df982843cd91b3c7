import Histogram

/// Frame latencies in an HdrHistogram: recording one is an index computation and an increment (no
/// allocation), and a percentile is a walk over the counters instead of a sort of every sample.
///
/// Fixed range, 1 µs to 1 hour, at 3 significant digits: a percentile is within 0.1% of the exact
/// sample percentile (and within 1 µs below ~1 ms, where the resolution is the 1 µs floor rounded
/// to a power of two, 512 ns). A latency above an hour is counted as an hour, so the count always
/// equals the frames recorded. The range is fixed, so the counter storage (~24,600 counters, 196 kB)
/// is created once in `init` and never resized; `record` and `reset` mutate it in place.
///
/// Keep a single owner: copying a histogram shares the storage, and the next `record` on either
/// copy would copy it (an allocation).
public struct LatencyHistogram: Sendable, Equatable {
    /// Shortest latency told apart from zero, in nanoseconds (1 µs).
    public static let lowestDiscernibleNanoseconds: UInt64 = 1_000
    /// Longest latency tracked, in nanoseconds (1 hour); longer ones are recorded as this.
    public static let highestTrackableNanoseconds: UInt64 = 3_600_000_000_000

    private var histogram: Histogram<UInt64>

    public init() {
        histogram = Histogram(lowestDiscernibleValue: Self.lowestDiscernibleNanoseconds,
                              highestTrackableValue: Self.highestTrackableNanoseconds,
                              numberOfSignificantValueDigits: .three)
    }

    /// Adds one latency. Allocation-free.
    public mutating func record(nanoseconds: UInt64) {
        histogram.record(min(nanoseconds, Self.highestTrackableNanoseconds))
    }

    /// Latencies recorded.
    public var count: Int { Int(histogram.totalCount) }

    /// The `p`th percentile (`p` in 0...100) in milliseconds, by nearest rank, or 0 when empty.
    /// HdrHistogram answers with the highest value equivalent to the rank's sample, at most the maximum.
    public func percentile(_ p: Double) -> Double {
        count == 0 ? 0 : Double(histogram.valueAtPercentile(min(max(p, 0), 100))) / 1_000_000
    }

    /// The longest latency recorded in milliseconds (exact, up to the one-hour cap), or 0 when empty.
    public var maximumMilliseconds: Double {
        count == 0 ? 0 : Double(histogram.maxRecorded) / 1_000_000
    }

    /// Adds every latency `other` holds, as if recorded here (a pass over the counters, no allocation).
    public mutating func merge(_ other: LatencyHistogram) {
        histogram.add(other.histogram)
    }

    /// Empties the histogram in place, keeping its storage.
    public mutating func reset() {
        histogram.reset()
    }

    /// How far a percentile reported around `milliseconds` may be from the exact sample percentile:
    /// the width of the histogram's bucket there, in milliseconds.
    public func resolutionMilliseconds(atMilliseconds milliseconds: Double) -> Double {
        let nanoseconds = UInt64(min(max(0, milliseconds * 1_000_000), Double(Self.highestTrackableNanoseconds)))
        return Double(histogram.sizeOfEquivalentRangeForValue(nanoseconds)) / 1_000_000
    }
}

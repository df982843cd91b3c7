/// Durations in fixed buckets, so that recording one is an increment and never an allocation,
/// and percentiles cost a walk over ~760 counters instead of keeping and sorting every sample.
///
/// Buckets: 0.25 ms wide below 100 ms (where frame latency lives and detail matters), 5 ms wide
/// from 100 ms to 1 s, 50 ms wide from 1 s to 10 s, and one overflow bucket above. Percentiles are
/// accurate to the width of the bucket they fall in; the exact minimum and maximum are kept too, so
/// the overflow bucket still reports a real number (the maximum).
///
/// The counts live in an array created once in `init`; `record` mutates it in place. Keep a single
/// owner (copying a histogram shares the storage, and the next `record` on either copy would copy it).
public struct LatencyHistogram: Sendable, Equatable {
    /// Number of buckets, overflow included.
    public static let bucketCount = 761

    private static let fineLimit: UInt64 = 100_000_000        // 100 ms
    private static let fineWidth: UInt64 = 250_000            // 0.25 ms -> 400 buckets
    private static let mediumLimit: UInt64 = 1_000_000_000    // 1 s
    private static let mediumWidth: UInt64 = 5_000_000        // 5 ms -> 180 buckets
    private static let coarseLimit: UInt64 = 10_000_000_000   // 10 s
    private static let coarseWidth: UInt64 = 50_000_000       // 50 ms -> 180 buckets
    private static let mediumStart = 400
    private static let coarseStart = 580
    private static let overflowIndex = 760

    private var counts: [UInt64]
    /// Durations recorded.
    public private(set) var count: Int = 0
    /// Sum of the durations recorded, for the mean.
    public private(set) var totalNanoseconds: UInt64 = 0
    /// Shortest duration recorded (0 when empty).
    public private(set) var minimumNanoseconds: UInt64 = 0
    /// Longest duration recorded (0 when empty).
    public private(set) var maximumNanoseconds: UInt64 = 0

    public init() {
        counts = [UInt64](repeating: 0, count: Self.bucketCount)
    }

    /// Adds one duration. Allocation-free.
    public mutating func record(nanoseconds: UInt64) {
        counts[Self.bucketIndex(nanoseconds)] &+= 1
        if count == 0 || nanoseconds < minimumNanoseconds { minimumNanoseconds = nanoseconds }
        if nanoseconds > maximumNanoseconds { maximumNanoseconds = nanoseconds }
        count += 1
        totalNanoseconds &+= nanoseconds
    }

    /// The `p`th percentile (`p` in 0...100) in milliseconds, by nearest rank, or 0 when empty.
    ///
    /// Within the bucket that holds the rank the value is interpolated linearly, then clamped to the
    /// recorded minimum and maximum: the answer lies in the same bucket as the exact sample percentile.
    public func percentile(_ p: Double) -> Double {
        guard count > 0 else { return 0 }
        let clamped = min(max(p, 0), 100)
        let rank = max(1, min(count, Int((clamped * Double(count) / 100).rounded(.up))))
        var before = 0
        for index in 0..<Self.bucketCount {
            let inBucket = Int(counts[index])
            if inBucket == 0 { continue }
            if before + inBucket >= rank {
                let estimate: Double
                if index == Self.overflowIndex {
                    estimate = Double(maximumNanoseconds)
                } else {
                    let (lower, width) = Self.bucketBounds(index)
                    // The rank's place among the bucket's samples, taken as evenly spread over it.
                    let fraction = (Double(rank - before) - 0.5) / Double(inBucket)
                    estimate = Double(lower) + Double(width) * fraction
                }
                let bounded = min(max(estimate, Double(minimumNanoseconds)), Double(maximumNanoseconds))
                return bounded / 1_000_000
            }
            before += inBucket
        }
        return Double(maximumNanoseconds) / 1_000_000
    }

    /// Mean duration in milliseconds (0 when empty).
    public var meanMilliseconds: Double {
        count == 0 ? 0 : Double(totalNanoseconds) / Double(count) / 1_000_000
    }

    /// Empties the histogram in place, keeping its storage.
    public mutating func reset() {
        for index in counts.indices { counts[index] = 0 }
        count = 0
        totalNanoseconds = 0
        minimumNanoseconds = 0
        maximumNanoseconds = 0
    }

    /// Adds every duration `other` holds, as if they had been recorded here.
    public mutating func merge(_ other: LatencyHistogram) {
        guard other.count > 0 else { return }
        for index in counts.indices { counts[index] &+= other.counts[index] }
        minimumNanoseconds = count == 0 ? other.minimumNanoseconds : min(minimumNanoseconds, other.minimumNanoseconds)
        maximumNanoseconds = max(maximumNanoseconds, other.maximumNanoseconds)
        count += other.count
        totalNanoseconds &+= other.totalNanoseconds
    }

    /// Width in milliseconds of the bucket holding `milliseconds`: the accuracy of a percentile there
    /// (`.infinity` in the overflow bucket, where only the maximum is exact).
    public static func bucketWidthMilliseconds(atMilliseconds milliseconds: Double) -> Double {
        let index = bucketIndex(UInt64(max(0, min(milliseconds * 1_000_000, Double(UInt64.max / 2)))))
        if index == overflowIndex { return .infinity }
        return Double(bucketBounds(index).width) / 1_000_000
    }

    static func bucketIndex(_ nanoseconds: UInt64) -> Int {
        if nanoseconds < fineLimit { return Int(nanoseconds / fineWidth) }
        if nanoseconds < mediumLimit { return mediumStart + Int((nanoseconds - fineLimit) / mediumWidth) }
        if nanoseconds < coarseLimit { return coarseStart + Int((nanoseconds - mediumLimit) / coarseWidth) }
        return overflowIndex
    }

    static func bucketBounds(_ index: Int) -> (lower: UInt64, width: UInt64) {
        if index < mediumStart { return (UInt64(index) * fineWidth, fineWidth) }
        if index < coarseStart { return (fineLimit + UInt64(index - mediumStart) * mediumWidth, mediumWidth) }
        if index < overflowIndex { return (mediumLimit + UInt64(index - coarseStart) * coarseWidth, coarseWidth) }
        return (coarseLimit, 0)
    }
}

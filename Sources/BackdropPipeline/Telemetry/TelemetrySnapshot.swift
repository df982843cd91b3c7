/// What the pipeline reports about itself every few seconds: the figures for the interval since the
/// previous snapshot, the same figures for the whole run, and memory and pool state.
///
/// A plain value (Sendable, Codable) so it can be logged, handed to the library's caller through
/// `TelemetryReporter.onSnapshot`, and compared in tests. `line()`, `summary()` and `json()` render it.
public struct TelemetrySnapshot: Sendable, Equatable, Codable {
    /// Since the previous snapshot.
    public var interval: TelemetryFigures
    /// Since the recorder started: overall rates, whole-run latency percentiles, total drops.
    public var run: TelemetryFigures
    /// Resident memory at the latest sample, in MB (10^6 bytes); 0 before any sample.
    public var rssMegabytes: Double
    /// Largest resident memory sampled during the run, in MB.
    public var rssPeakMegabytes: Double
    /// Least-squares growth of resident memory after the warm-up, in MB per hour; nil until
    /// there are 3 samples past the warm-up.
    public var rssSlopeMegabytesPerHour: Double?
    /// Pooled buffers in use at the latest report, and the pool's size.
    public var poolInUse: Int
    public var poolCapacity: Int
    /// Most pooled buffers in use at once during the interval.
    public var poolPeakInUse: Int

    public init(interval: TelemetryFigures, run: TelemetryFigures, rssMegabytes: Double, rssPeakMegabytes: Double,
                rssSlopeMegabytesPerHour: Double?, poolInUse: Int, poolCapacity: Int, poolPeakInUse: Int) {
        self.interval = interval
        self.run = run
        self.rssMegabytes = rssMegabytes
        self.rssPeakMegabytes = rssPeakMegabytes
        self.rssSlopeMegabytesPerHour = rssSlopeMegabytesPerHour
        self.poolInUse = poolInUse
        self.poolCapacity = poolCapacity
        self.poolPeakInUse = poolPeakInUse
    }

    enum CodingKeys: String, CodingKey {
        case interval
        case run
        case rssMegabytes = "rss_mb"
        case rssPeakMegabytes = "rss_peak_mb"
        case rssSlopeMegabytesPerHour = "rss_slope_mb_per_hour"
        case poolInUse = "pool_in_use"
        case poolCapacity = "pool_capacity"
        case poolPeakInUse = "pool_peak_in_use"
    }

    /// Written by hand only so that an unknown slope is `null` rather than a missing key:
    /// every snapshot's JSON has the same keys.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(interval, forKey: .interval)
        try container.encode(run, forKey: .run)
        try container.encode(rssMegabytes, forKey: .rssMegabytes)
        try container.encode(rssPeakMegabytes, forKey: .rssPeakMegabytes)
        try container.encode(rssSlopeMegabytesPerHour, forKey: .rssSlopeMegabytesPerHour)
        try container.encode(poolInUse, forKey: .poolInUse)
        try container.encode(poolCapacity, forKey: .poolCapacity)
        try container.encode(poolPeakInUse, forKey: .poolPeakInUse)
    }
}

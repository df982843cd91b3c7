import BackdropCore

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
    @JSONNullable public var rssSlopeMegabytesPerHour: Double?
    /// Pooled buffers in use at the latest report, and the pool's size.
    public var poolInUse: Int
    public var poolCapacity: Int
    /// Most pooled buffers in use at once during the interval.
    public var poolPeakInUse: Int
    /// Set once the input has ended well short of the frames it declares (a truncated file).
    @JSONNullable public var inputEndedEarly: InputEndedEarly?

    public init(interval: TelemetryFigures, run: TelemetryFigures, rssMegabytes: Double, rssPeakMegabytes: Double,
                rssSlopeMegabytesPerHour: Double?, poolInUse: Int, poolCapacity: Int, poolPeakInUse: Int,
                inputEndedEarly: InputEndedEarly? = nil) {
        self.inputEndedEarly = inputEndedEarly
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
        case inputEndedEarly = "input_ended_early"
    }

}

/// An input that ended with clearly fewer frames than it declares (its header's frame count, or
/// duration x rate): most likely a truncated file. The frames before the cut were processed.
public struct InputEndedEarly: Sendable, Equatable, Codable {
    /// Frames the input delivered.
    public var framesDecoded: Int
    /// Frames it said it holds.
    public var framesDeclared: Int

    public init(framesDecoded: Int, framesDeclared: Int) {
        self.framesDecoded = framesDecoded
        self.framesDeclared = framesDeclared
    }

    enum CodingKeys: String, CodingKey {
        case framesDecoded = "frames_decoded"
        case framesDeclared = "frames_declared"
    }
}

/// One point of a live chart: the figures since the previous `TelemetryRecorder.sample()`, with the
/// run's totals, resident memory and its slope. JSON keys are snake_case, like the telemetry lines.
public struct TelemetrySample: Sendable, Equatable, Codable {
    /// Seconds since the run started.
    public var seconds: Double
    public var inputFPS: Double
    public var processedFPS: Double
    public var outputFPS: Double
    /// Capture-to-output latency percentiles over the frames output since the previous sample (0 when none).
    public var latencyP50Milliseconds: Double
    public var latencyP99Milliseconds: Double
    public var rssMegabytes: Double
    /// The RSS trend after warm-up, once its samples span long enough (nil until then).
    public var rssSlopeMegabytesPerHour: Double?
    /// Frames dropped since the previous sample.
    public var framesDropped: Int
    public var framesDroppedTotal: Int
    public var framesOutputTotal: Int
    /// Task instances the memory guard replaced so far.
    public var swapsTotal: Int

    public init(seconds: Double, inputFPS: Double, processedFPS: Double, outputFPS: Double,
                latencyP50Milliseconds: Double, latencyP99Milliseconds: Double, rssMegabytes: Double,
                rssSlopeMegabytesPerHour: Double?, framesDropped: Int, framesDroppedTotal: Int,
                framesOutputTotal: Int, swapsTotal: Int) {
        self.seconds = seconds
        self.inputFPS = inputFPS
        self.processedFPS = processedFPS
        self.outputFPS = outputFPS
        self.latencyP50Milliseconds = latencyP50Milliseconds
        self.latencyP99Milliseconds = latencyP99Milliseconds
        self.rssMegabytes = rssMegabytes
        self.rssSlopeMegabytesPerHour = rssSlopeMegabytesPerHour
        self.framesDropped = framesDropped
        self.framesDroppedTotal = framesDroppedTotal
        self.framesOutputTotal = framesOutputTotal
        self.swapsTotal = swapsTotal
    }

    enum CodingKeys: String, CodingKey {
        case seconds = "t"
        case inputFPS = "in_fps"
        case processedFPS = "processed_fps"
        case outputFPS = "out_fps"
        case latencyP50Milliseconds = "latency_p50_ms"
        case latencyP99Milliseconds = "latency_p99_ms"
        case rssMegabytes = "rss_mb"
        case rssSlopeMegabytesPerHour = "rss_slope_mb_per_hour"
        case framesDropped = "dropped"
        case framesDroppedTotal = "dropped_total"
        case framesOutputTotal = "frames_output"
        case swapsTotal = "swaps_total"
    }

    /// Encodes `rss_slope_mb_per_hour` as null when unknown (a chart wants the key either way).
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(seconds, forKey: .seconds)
        try container.encode(inputFPS, forKey: .inputFPS)
        try container.encode(processedFPS, forKey: .processedFPS)
        try container.encode(outputFPS, forKey: .outputFPS)
        try container.encode(latencyP50Milliseconds, forKey: .latencyP50Milliseconds)
        try container.encode(latencyP99Milliseconds, forKey: .latencyP99Milliseconds)
        try container.encode(rssMegabytes, forKey: .rssMegabytes)
        try container.encode(rssSlopeMegabytesPerHour, forKey: .rssSlopeMegabytesPerHour)
        try container.encode(framesDropped, forKey: .framesDropped)
        try container.encode(framesDroppedTotal, forKey: .framesDroppedTotal)
        try container.encode(framesOutputTotal, forKey: .framesOutputTotal)
        try container.encode(swapsTotal, forKey: .swapsTotal)
    }
}

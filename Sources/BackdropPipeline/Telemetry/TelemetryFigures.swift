/// The frame figures over one span of time: an interval between snapshots, or the whole run.
///
/// One type for both spans, so the periodic line and the exit summary are computed (and tested)
/// the same way. Rates and milliseconds are rounded to 0.001, which keeps the JSON readable.
public struct TelemetryFigures: Sendable, Equatable, Codable {
    /// Length of the span.
    public var seconds: Double
    public var framesRead: Int
    public var framesProcessed: Int
    public var framesOutput: Int
    public var framesDropped: Int
    /// Frames lost to a stage's error (the frame inference failed on, the frame a sink could not
    /// write); read = output + dropped + failed.
    public var framesFailed: Int
    /// Frames read per second of the span.
    public var inputFPS: Double
    /// Frames through the effect stage per second.
    public var processedFPS: Double
    /// Frames out of the sinks per second.
    public var outputFPS: Double
    /// Capture-to-output latency percentiles over the frames output in the span (0 when none).
    public var latencyP50Milliseconds: Double
    public var latencyP95Milliseconds: Double
    public var latencyP99Milliseconds: Double
    /// The longest of those latencies (0 when none).
    public var latencyMaxMilliseconds: Double
    /// Non-zero drop counts, in stage then reason order.
    public var drops: [DropCount]
    /// Task instances the memory guard replaced.
    public var swaps: Int
    /// The same, by task (non-zero counts only).
    public var swapsByTask: [SwapCount]

    public init(seconds: Double, framesRead: Int, framesProcessed: Int, framesOutput: Int, framesDropped: Int,
                framesFailed: Int = 0, inputFPS: Double, processedFPS: Double, outputFPS: Double,
                latencyP50Milliseconds: Double, latencyP95Milliseconds: Double, latencyP99Milliseconds: Double,
                latencyMaxMilliseconds: Double, drops: [DropCount], swaps: Int, swapsByTask: [SwapCount] = []) {
        self.seconds = seconds
        self.framesRead = framesRead
        self.framesProcessed = framesProcessed
        self.framesOutput = framesOutput
        self.framesDropped = framesDropped
        self.framesFailed = framesFailed
        self.inputFPS = inputFPS
        self.processedFPS = processedFPS
        self.outputFPS = outputFPS
        self.latencyP50Milliseconds = latencyP50Milliseconds
        self.latencyP95Milliseconds = latencyP95Milliseconds
        self.latencyP99Milliseconds = latencyP99Milliseconds
        self.latencyMaxMilliseconds = latencyMaxMilliseconds
        self.drops = drops
        self.swaps = swaps
        self.swapsByTask = swapsByTask
    }

    /// Frames `stage` dropped because of `reason` in the span.
    public func drops(at stage: PipelineStage, because reason: DropReason) -> Int {
        drops.first { $0.stage == stage && $0.reason == reason }?.count ?? 0
    }

    enum CodingKeys: String, CodingKey {
        case seconds
        case framesRead = "frames_read"
        case framesProcessed = "frames_processed"
        case framesOutput = "frames_output"
        case framesDropped = "frames_dropped"
        case framesFailed = "frames_failed"
        case inputFPS = "in_fps"
        case processedFPS = "processed_fps"
        case outputFPS = "out_fps"
        case latencyP50Milliseconds = "latency_p50_ms"
        case latencyP95Milliseconds = "latency_p95_ms"
        case latencyP99Milliseconds = "latency_p99_ms"
        case latencyMaxMilliseconds = "latency_max_ms"
        case drops
        case swaps
        case swapsByTask = "swaps_by_task"
    }
}

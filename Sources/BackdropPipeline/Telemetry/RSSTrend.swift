/// Resident memory over time, and how fast it grows: the number that tells a leak from a plateau.
///
/// A fixed ring of (seconds, bytes) samples: `record` overwrites the oldest once full and never
/// allocates. At one sample a second the default 4096 samples cover the last ~68 minutes, so the
/// slope describes recent behaviour rather than start-up.
public struct RSSTrend: Sendable {
    /// Bytes per megabyte in every telemetry figure (decimal, as backdrop-bench reports).
    public static let bytesPerMegabyte = 1_000_000.0

    /// Samples kept at most.
    public let capacity: Int
    private var seconds: [Double]
    private var bytes: [Int]
    private var nextSlot = 0
    /// Samples currently held (at most `capacity`).
    public private(set) var count = 0
    /// Time of the first sample ever recorded; the warm-up is measured from it.
    public private(set) var firstSeconds: Double?
    /// The most recent sample's bytes (0 before any).
    public private(set) var latestBytes = 0
    /// The largest sample ever recorded, including ones since overwritten.
    public private(set) var peakBytes = 0

    public init(capacity: Int = 4096) {
        precondition(capacity > 0, "RSSTrend needs room for at least one sample")
        self.capacity = capacity
        seconds = [Double](repeating: 0, count: capacity)
        bytes = [Int](repeating: 0, count: capacity)
    }

    /// Adds a sample (allocation-free).
    public mutating func record(seconds time: Double, bytes value: Int) {
        seconds[nextSlot] = time
        bytes[nextSlot] = value
        nextSlot = nextSlot + 1 == capacity ? 0 : nextSlot + 1
        count = min(count + 1, capacity)
        if firstSeconds == nil { firstSeconds = time }
        latestBytes = value
        peakBytes = max(peakBytes, value)
    }

    /// Growth in MB per hour: the least-squares line through the samples taken at least `warmup`
    /// seconds after the first one (start-up allocations would otherwise read as a leak).
    /// `nil` with fewer than 3 such samples, when they all share one time, or when they span less
    /// than `minimumSpan` seconds (a few seconds' wobble extrapolated to an hour means nothing).
    public func slopeMegabytesPerHour(after warmup: Double, spanning minimumSpan: Double = 0) -> Double? {
        guard let first = firstSeconds else { return nil }
        let from = first + warmup
        var n = 0.0
        var sumT = 0.0
        var sumB = 0.0
        var earliest = Double.infinity, latest = -Double.infinity
        forEachSample(from: from) { t, b in
            n += 1
            sumT += t
            sumB += b
            earliest = min(earliest, t)
            latest = max(latest, t)
        }
        guard n >= 3, latest - earliest >= minimumSpan else { return nil }
        // Centred sums: times are large (seconds since boot) and bytes are ~1e8, so the textbook
        // formula would lose most of its digits to cancellation.
        let meanT = sumT / n
        let meanB = sumB / n
        var covariance = 0.0
        var variance = 0.0
        forEachSample(from: from) { t, b in
            covariance += (t - meanT) * (b - meanB)
            variance += (t - meanT) * (t - meanT)
        }
        guard variance > 0 else { return nil }
        let bytesPerSecond = covariance / variance
        return bytesPerSecond * 3600 / Self.bytesPerMegabyte
    }

    /// Forgets every sample, peak included.
    public mutating func reset() {
        nextSlot = 0
        count = 0
        firstSeconds = nil
        latestBytes = 0
        peakBytes = 0
    }

    private func forEachSample(from: Double, _ body: (Double, Double) -> Void) {
        for slot in 0..<count where seconds[slot] >= from {
            body(seconds[slot], Double(bytes[slot]))
        }
    }
}

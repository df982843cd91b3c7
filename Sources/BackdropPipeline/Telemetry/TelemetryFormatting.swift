import Foundation

/// How snapshots read in the log: one labelled figure after another, so a person can scan the line
/// and a test can parse it back (`TelemetrySnapshot.linePattern`).
extension TelemetrySnapshot {
    /// The periodic log line: interval rates and latency, interval and total drops, memory, pool,
    /// swaps, run totals of frames, and the interval's length. For example:
    ///
    ///     in 29.8 fps | processed 29.8 fps | out 29.8 fps | latency p50 41.2 ms p95 48.0 ms p99 52.3 ms | drops 0 (total 12: inference/replaced-by-newer 12) | rss 182.4 MB peak 190.1 MB slope +0.3 MB/h | pool 3/6 peak 4 | swaps 0 (total 1: segmenter 1) | frames in 1500 processed 1500 out 1488 dropped 12 | interval 5.0 s
    public func line() -> String {
        let dropsNow = interval.framesDropped == 0 ? "0" : "\(interval.framesDropped): \(Self.list(interval.drops))"
        let dropsTotal = run.framesDropped == 0 ? "0" : "\(run.framesDropped): \(Self.list(run.drops))"
        return [
            Self.rates(interval),
            "drops \(dropsNow) (total \(dropsTotal))",
            memory,
            "pool \(poolInUse)/\(poolCapacity) peak \(poolPeakInUse)",
            "swaps \(interval.swaps) (total \(Self.swaps(run)))",
            Self.frames(run),
            "interval \(Self.one(interval.seconds)) s",
        ].joined(separator: " | ")
    }

    /// The exit line: the same labels over the whole run (overall rates, whole-run latency
    /// percentiles, drops by stage and reason, peak memory and slope), and, when the input ended
    /// well short of what it declares, how short. For example:
    ///
    ///     in 30.0 fps | processed 30.0 fps | out 29.9 fps | latency p50 41.2 ms p95 48.0 ms p99 52.3 ms | drops 12: inference/replaced-by-newer 12 | rss 182.4 MB peak 190.1 MB slope +0.3 MB/h | swaps 1: segmenter 1 | frames in 3600 processed 3600 out 3588 dropped 12 | run 120.0 s
    public func summary() -> String {
        let drops = run.framesDropped == 0 ? "0" : "\(run.framesDropped): \(Self.list(run.drops))"
        return [
            Self.rates(run),
            "drops \(drops)",
            memory,
            "swaps \(Self.swaps(run))",
            Self.frames(run),
            "run \(Self.one(run.seconds)) s",
        ].joined(separator: " | ") + (inputEndedEarly.map {
            " | input ended early: decoded \($0.framesDecoded) of \($0.framesDeclared) declared frames (truncated?)"
        } ?? "")
    }

    /// One JSON object with sorted, always-present keys (an unknown slope is `null`).
    public func json() -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        guard let data = try? encoder.encode(self) else { return "{}" }  // only non-finite numbers fail; none are made
        return String(decoding: data, as: UTF8.self)
    }

    /// Parses `line()`. Named groups: inFPS processedFPS outFPS p50 p95 p99 drops dropList dropsTotal
    /// dropTotalList rss rssPeak slope (absent when "n/a") poolInUse poolCapacity poolPeak swaps swapsTotal swapList
    /// framesRead framesProcessed framesOutput framesDropped seconds. Drop lists are
    /// "stage/reason count" entries joined by ", " (see `dropEntryPattern`); the swap list is
    /// "task count" entries (task names contain letters and "-").
    public static let linePattern = #"^in (?<inFPS>[0-9.]+) fps \| processed (?<processedFPS>[0-9.]+) fps \| out (?<outFPS>[0-9.]+) fps \| latency p50 (?<p50>[0-9.]+) ms p95 (?<p95>[0-9.]+) ms p99 (?<p99>[0-9.]+) ms \| drops (?<drops>[0-9]+)(?:: (?<dropList>[^(]+))? \(total (?<dropsTotal>[0-9]+)(?:: (?<dropTotalList>[^)]+))?\) \| rss (?<rss>[0-9.]+) MB peak (?<rssPeak>[0-9.]+) MB slope (?:(?<slope>[+-][0-9.]+) MB/h|n/a) \| pool (?<poolInUse>[0-9]+)/(?<poolCapacity>[0-9]+) peak (?<poolPeak>[0-9]+) \| swaps (?<swaps>[0-9]+) \(total (?<swapsTotal>[0-9]+)(?:: (?<swapList>[^)]+))?\) \| frames in (?<framesRead>[0-9]+) processed (?<framesProcessed>[0-9]+) out (?<framesOutput>[0-9]+) dropped (?<framesDropped>[0-9]+)(?: failed (?<framesFailed>[0-9]+))? \| interval (?<seconds>[0-9.]+) s$"#

    /// Parses `summary()`; groups as in `linePattern` (drops and dropList are the run's), plus
    /// `seconds` for the run's length and, when the input ended early, `framesDecoded` and `framesDeclared`.
    public static let summaryPattern = #"^in (?<inFPS>[0-9.]+) fps \| processed (?<processedFPS>[0-9.]+) fps \| out (?<outFPS>[0-9.]+) fps \| latency p50 (?<p50>[0-9.]+) ms p95 (?<p95>[0-9.]+) ms p99 (?<p99>[0-9.]+) ms \| drops (?<drops>[0-9]+)(?:: (?<dropList>[^|]+))? \| rss (?<rss>[0-9.]+) MB peak (?<rssPeak>[0-9.]+) MB slope (?:(?<slope>[+-][0-9.]+) MB/h|n/a) \| swaps (?<swaps>[0-9]+)(?:: (?<swapList>[^|]+))? \| frames in (?<framesRead>[0-9]+) processed (?<framesProcessed>[0-9]+) out (?<framesOutput>[0-9]+) dropped (?<framesDropped>[0-9]+)(?: failed (?<framesFailed>[0-9]+))? \| run (?<seconds>[0-9.]+) s(?: \| input ended early: decoded (?<framesDecoded>[0-9]+) of (?<framesDeclared>[0-9]+) declared frames \(truncated\?\))?$"#

    /// One entry of a drop list: stage, reason, count.
    public static let dropEntryPattern = #"(?<stage>[a-z]+)/(?<reason>[a-z-]+) (?<count>[0-9]+)"#

    private var memory: String {
        let slope = rssSlopeMegabytesPerHour.map { String(format: "%+.1f", $0) + " MB/h" } ?? "n/a"
        return "rss \(Self.one(rssMegabytes)) MB peak \(Self.one(rssPeakMegabytes)) MB slope \(slope)"
    }

    private static func rates(_ figures: TelemetryFigures) -> String {
        "in \(one(figures.inputFPS)) fps | processed \(one(figures.processedFPS)) fps | out \(one(figures.outputFPS)) fps"
            + " | latency p50 \(one(figures.latencyP50Milliseconds)) ms p95 \(one(figures.latencyP95Milliseconds)) ms"
            + " p99 \(one(figures.latencyP99Milliseconds)) ms"
    }

    private static func frames(_ figures: TelemetryFigures) -> String {
        "frames in \(figures.framesRead) processed \(figures.framesProcessed) out \(figures.framesOutput) dropped \(figures.framesDropped)"
            + (figures.framesFailed > 0 ? " failed \(figures.framesFailed)" : "")
    }

    private static func swaps(_ figures: TelemetryFigures) -> String {
        figures.swaps == 0 ? "0" : "\(figures.swaps): " + figures.swapsByTask.map(\.description).joined(separator: ", ")
    }

    private static func list(_ drops: [DropCount]) -> String {
        drops.map(\.description).joined(separator: ", ")
    }

    private static func one(_ value: Double) -> String { String(format: "%.1f", value) }
}

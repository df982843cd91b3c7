import Logging

/// Snapshots as swift-log metadata, so `--log-format json` carries the figures as fields and not
/// only inside the message. The keys are the snapshot's JSON keys (`json()`), nested the same way.
extension TelemetrySnapshot {
    /// `["telemetry": {...}]`, mirroring `json()` (an unknown slope and an input that did not end early are left out).
    public func logMetadata() -> Logger.Metadata {
        typealias Key = CodingKeys
        var figures: Logger.Metadata = [
            Key.interval.stringValue: interval.metadataValue,
            Key.run.stringValue: run.metadataValue,
            Key.rssMegabytes.stringValue: .stringConvertible(rssMegabytes),
            Key.rssPeakMegabytes.stringValue: .stringConvertible(rssPeakMegabytes),
            Key.poolInUse.stringValue: .stringConvertible(poolInUse),
            Key.poolCapacity.stringValue: .stringConvertible(poolCapacity),
            Key.poolPeakInUse.stringValue: .stringConvertible(poolPeakInUse),
        ]
        if let slope = rssSlopeMegabytesPerHour {
            figures[Key.rssSlopeMegabytesPerHour.stringValue] = .stringConvertible(slope)
        }
        if let early = inputEndedEarly {
            figures[Key.inputEndedEarly.stringValue] = .dictionary([
                InputEndedEarly.CodingKeys.framesDecoded.stringValue: .stringConvertible(early.framesDecoded),
                InputEndedEarly.CodingKeys.framesDeclared.stringValue: .stringConvertible(early.framesDeclared),
            ])
        }
        return ["telemetry": .dictionary(figures)]
    }
}

extension TelemetryFigures {
    var metadataValue: Logger.MetadataValue {
        typealias Key = CodingKeys
        return .dictionary([
            Key.seconds.stringValue: .stringConvertible(seconds),
            Key.framesRead.stringValue: .stringConvertible(framesRead),
            Key.framesProcessed.stringValue: .stringConvertible(framesProcessed),
            Key.framesOutput.stringValue: .stringConvertible(framesOutput),
            Key.framesDropped.stringValue: .stringConvertible(framesDropped),
            Key.framesFailed.stringValue: .stringConvertible(framesFailed),
            Key.inputFPS.stringValue: .stringConvertible(inputFPS),
            Key.processedFPS.stringValue: .stringConvertible(processedFPS),
            Key.outputFPS.stringValue: .stringConvertible(outputFPS),
            Key.latencyP50Milliseconds.stringValue: .stringConvertible(latencyP50Milliseconds),
            Key.latencyP95Milliseconds.stringValue: .stringConvertible(latencyP95Milliseconds),
            Key.latencyP99Milliseconds.stringValue: .stringConvertible(latencyP99Milliseconds),
            Key.latencyMaxMilliseconds.stringValue: .stringConvertible(latencyMaxMilliseconds),
            Key.drops.stringValue: .array(drops.map { drop in
                .dictionary(["stage": .string(drop.stage.description), "reason": .string(drop.reason.description),
                             "count": .stringConvertible(drop.count)])
            }),
            Key.swaps.stringValue: .stringConvertible(swaps),
            Key.swapsByTask.stringValue: .array(swapsByTask.map { swap in
                .dictionary(["task": .string(swap.task.description), "count": .stringConvertible(swap.count)])
            }),
        ])
    }
}

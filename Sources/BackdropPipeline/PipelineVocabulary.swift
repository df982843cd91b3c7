/// The pipeline's stages, in frame order. Each runs on its own thread and owns a frame while it works on it.
public enum PipelineStage: Int, CaseIterable, Sendable, CustomStringConvertible {
    /// Reads frames from the input.
    case source
    /// Runs the segmenter and the face landmarker.
    case inference
    /// Refines the mask and applies the effect.
    case effect
    /// Writes to the outputs.
    case sink

    public var description: String {
        switch self {
        case .source: "source"
        case .inference: "inference"
        case .effect: "effect"
        case .sink: "sink"
        }
    }
}

/// Why a frame was dropped. Only live mode drops; offline mode waits instead.
public enum DropReason: Int, CaseIterable, Sendable, CustomStringConvertible {
    /// Frames arrived faster than `--max-fps`.
    case rateCap
    /// A newer frame replaced it in a hand-off before the next stage took it.
    case replacedByNewer
    /// Every pooled buffer was in use.
    case poolExhausted
    /// The run had already failed: the frame was discarded, not written.
    case runFailed

    public var description: String {
        switch self {
        case .rateCap: "rate-cap"
        case .replacedByNewer: "replaced-by-newer"
        case .poolExhausted: "pool-exhausted"
        case .runFailed: "run-failed"
        }
    }
}

/// Why a ``Pipeline`` could not be built, could not run, or stopped.
public enum PipelineError: Error, CustomStringConvertible {
    /// A stage met an error and the run stopped: what the source, a sink (a `MediaError`), or
    /// inference (a `MediaPipeError`) threw. Outputs were ended as `incompleteOutputs` says.
    case stageFailed(PipelineStage, underlying: any Error)
    /// The input ended before its first frame although it declares more: it looks truncated.
    case inputTruncated(source: String, framesDeclared: Int)
    /// `run()` was called on a pipeline that is running or has run: a pipeline runs once.
    case alreadyStarted
    /// Settings that can't run (given at build time or to `update`); the message says what to change.
    case invalidSettings(String)
    /// The MediaPipe tasks could not be built (runtime or models missing or broken).
    case setUpFailed(underlying: any Error)

    /// The stage the error came from, when one did.
    public var stage: PipelineStage? {
        switch self {
        case .stageFailed(let stage, _): stage
        case .inputTruncated: .source
        case .alreadyStarted, .invalidSettings, .setUpFailed: nil
        }
    }

    public var description: String {
        switch self {
        case .stageFailed(let stage, let underlying):
            "the \(stage) stage failed: \(underlying)"
        case .inputTruncated(let source, let declared):
            "\(source) declares \(declared) frames but ended before the first could be decoded, so it looks truncated "
                + "(a copy, download or recording that did not finish); get a complete copy"
        case .alreadyStarted:
            "this pipeline is running or has run already; a Pipeline runs once: build a new one for another run"
        case .invalidSettings(let message):
            "invalid pipeline settings: \(message)"
        case .setUpFailed(let underlying):
            "the pipeline could not be set up: \(underlying)"
        }
    }
}

import BackdropEffects
import BackdropMediaPipe

/// How a ``Pipeline`` is built: what is fixed for its whole run (mode, models, processing size,
/// hand-offs, telemetry), and the ``PipelineSettings`` it starts with (which ``Pipeline/update(_:fromFrame:)``
/// may change later). The CLI's `backdrop run` options map onto it.
public struct PipelineConfiguration: Sendable {
    /// How the pipeline treats a stage that falls behind.
    public enum Mode: Sendable, Equatable {
        /// Files: every frame is processed; a full hand-off makes the stage before it wait.
        case offline
        /// Cameras and streams: the source never waits; each hand-off keeps only the newest frame
        /// and counts what it drops.
        case live
    }

    public struct Size: Sendable, Equatable, CustomStringConvertible {
        public var width: Int
        public var height: Int
        public init(width: Int, height: Int) { self.width = width; self.height = height }
        public var description: String { "\(width)x\(height)" }
    }

    public var mode: Mode
    /// What the pipeline starts doing to frames (changeable while it runs).
    public var settings: PipelineSettings
    /// Inference runs on frames scaled to this size (the mask is brought back to full size with
    /// edge-aware refinement); nil: the frame's own size.
    public var processSize: Size?
    public var models: ModelDirectory
    /// Load the face landmarker, so that `settings.faces` can be on (now or after an update).
    /// nil: load it when the starting settings have faces on.
    public var loadsFaceLandmarker: Bool?
    public var maxFaces: Int
    /// Ask MediaPipe for the category mask too (~4x the cost of the confidence mask at 720p).
    public var categoryMask: Bool
    /// Run the segmenter and the face landmarker at the same time, on two threads.
    public var concurrentInference: Bool
    public var memoryGuard: MemoryGuardPolicy
    /// Time between telemetry reports (log line, metrics, `onSnapshot`).
    public var statsInterval: Duration
    /// Frames each hand-off holds in offline mode (live mode holds one). The pipeline preallocates
    /// `3 * handoffCapacity + 4` frame slots (one per hand-off place and stage).
    public var handoffCapacity: Int

    public static let defaultHandoffCapacity = 2
    public static let defaultStatsInterval = Duration.seconds(5)

    public init(mode: Mode = .offline, settings: PipelineSettings = PipelineSettings(), processSize: Size? = nil,
                models: ModelDirectory = ModelDirectory(), loadsFaceLandmarker: Bool? = nil, maxFaces: Int = 1,
                categoryMask: Bool = false, concurrentInference: Bool = true, memoryGuard: MemoryGuardPolicy = .init(),
                statsInterval: Duration = PipelineConfiguration.defaultStatsInterval,
                handoffCapacity: Int = PipelineConfiguration.defaultHandoffCapacity) {
        self.mode = mode
        self.settings = settings
        self.processSize = processSize
        self.models = models
        self.loadsFaceLandmarker = loadsFaceLandmarker
        self.maxFaces = maxFaces
        self.categoryMask = categoryMask
        self.concurrentInference = concurrentInference
        self.memoryGuard = memoryGuard
        self.statsInterval = statsInterval
        self.handoffCapacity = handoffCapacity
    }

    /// Whether the face landmarker is loaded (stated, or implied by the starting settings), so
    /// that `settings.faces` may be turned on while the pipeline runs.
    public var landmarkerLoaded: Bool { loadsFaceLandmarker ?? settings.faces }
}

/// When the pipeline replaces a MediaPipe task instance with a fresh one (built in the background,
/// swapped in between two frames, so no frame is lost).
public struct MemoryGuardPolicy: Sendable, Equatable {
    /// Replace an instance once the process's RSS has grown this much since the instance warmed up
    /// (nil: never for growth).
    public var growthBudgetBytes: Int?
    /// Replace an instance after this many frames (nil: never for age).
    public var maxFramesPerInstance: Int?
    /// Frames an instance runs before its RSS baseline is taken (pools and caches fill first).
    public var warmUpFrames: Int

    public init(growthBudgetBytes: Int? = 256 * 1024 * 1024, maxFramesPerInstance: Int? = nil, warmUpFrames: Int = 100) {
        self.growthBudgetBytes = growthBudgetBytes
        self.maxFramesPerInstance = maxFramesPerInstance
        self.warmUpFrames = warmUpFrames
    }
}

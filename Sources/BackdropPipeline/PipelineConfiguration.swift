import BackdropEffects
import BackdropMediaPipe

/// Everything a ``Pipeline`` run is configured with; the CLI's `backdrop run` options map onto it.
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
    /// At most this many frames per second are processed: live mode drops the excess (counted as
    /// rate-cap drops), offline mode is paced to it.
    public var maxFPS: Double
    /// Inference runs on frames scaled to this size (the mask is brought back to full size with
    /// edge-aware refinement); nil: the frame's own size.
    public var processSize: Size?
    public var models: ModelDirectory
    /// Find face landmarks too.
    public var faces: Bool
    public var maxFaces: Int
    /// Ask MediaPipe for the category mask too (~4x the cost of the confidence mask at 720p).
    public var categoryMask: Bool
    /// Run the segmenter and the face landmarker at the same time, on two threads.
    public var concurrentInference: Bool
    public var effect: Effect
    /// Temporal smoothing of the mask (stops edge flicker).
    public var smoothing: Bool
    /// Feathering radius of the mask's edge, in full-size pixels (0: none).
    public var featherRadius: Int
    public var memoryGuard: MemoryGuardPolicy
    /// Seconds between telemetry lines.
    public var statsInterval: Double
    /// Frames each hand-off holds in offline mode (live mode holds one). The pipeline preallocates
    /// `3 * handoffCapacity + 4` frame slots (one per hand-off place and stage).
    public var handoffCapacity: Int
    public static let defaultHandoffCapacity = 2

    public init(mode: Mode = .offline, maxFPS: Double = 60, processSize: Size? = nil, models: ModelDirectory = ModelDirectory(),
                faces: Bool = true, maxFaces: Int = 1, categoryMask: Bool = false, concurrentInference: Bool = true,
                effect: Effect = .blur(strength: 12), smoothing: Bool = true, featherRadius: Int = 2,
                memoryGuard: MemoryGuardPolicy = .init(), statsInterval: Double = 5,
                handoffCapacity: Int = PipelineConfiguration.defaultHandoffCapacity) {
        self.mode = mode
        self.maxFPS = maxFPS
        self.processSize = processSize
        self.models = models
        self.faces = faces
        self.maxFaces = maxFaces
        self.categoryMask = categoryMask
        self.concurrentInference = concurrentInference
        self.effect = effect
        self.smoothing = smoothing
        self.featherRadius = featherRadius
        self.memoryGuard = memoryGuard
        self.statsInterval = statsInterval
        self.handoffCapacity = handoffCapacity
    }
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

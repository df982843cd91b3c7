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

    /// The size of the image the segmenter and the face landmarker are given. The mask comes back
    /// to the frame's size by edge-aware refinement, so a smaller inference image loses little at
    /// the edges and saves inference time (MediaPipe converts and scales what it is given).
    public enum ProcessSize: Sendable, Equatable, CustomStringConvertible {
        /// The frame halved by exact 2x2 averages while its short side is at least
        /// ``halvingShortSide`` (so never below half that): 720p runs at 640x360, 1080p at
        /// 480x270; 640x480 and smaller at their own size. Each halving is cheap and exact, and
        /// the effect stage can use the halved image as its own half-size copy of the frame. The
        /// segmenter's image is halved further while its short side is at least
        /// ``segmenterHalvingShortSide``: 720p segments at 320x180, 1080p at 480x270.
        case automatic
        /// The frame's own size: the finest raw mask, at the highest inference cost.
        case full
        /// Area-averaged (or, growing, bilinear) to this size: any size, but an image the effect
        /// stage can't reuse unless it is an exact half or quarter of the frame.
        case fixed(Size)

        /// A short side this long or longer is halved by ``automatic``.
        public static let halvingShortSide = 512

        /// A short side this long or longer is halved for the segmenter by ``automatic``, beyond the
        /// landmarker's image: its model sees 256x256, and on the quality benchmark's exact truth a
        /// mask from a 320x180 image is nearer the true alpha than one from 640x360 (BENCHMARKS.md).
        public static let segmenterHalvingShortSide = 360

        /// How many exact halvings ``automatic`` makes of a `width` x `height` frame.
        public static func automaticHalvings(width: Int, height: Int) -> Int {
            var halvings = 0, shortSide = min(width, height)
            while shortSide >= halvingShortSide {
                shortSide = (shortSide + 1) / 2
                halvings += 1
            }
            return halvings
        }

        /// How many exact halvings of a `width` x `height` frame ``automatic`` gives the segmenter
        /// (at least as many as the landmarker's ``automaticHalvings(width:height:)``).
        public static func automaticSegmenterHalvings(width: Int, height: Int) -> Int {
            var halvings = 0, shortSide = min(width, height)
            while shortSide >= segmenterHalvingShortSide {
                shortSide = (shortSide + 1) / 2
                halvings += 1
            }
            return max(halvings, automaticHalvings(width: width, height: height))
        }

        public var description: String {
            switch self {
            case .automatic: "automatic"
            case .full: "full"
            case .fixed(let size): size.description
            }
        }
    }

    public var mode: Mode
    /// What the pipeline starts doing to frames (changeable while it runs).
    public var settings: PipelineSettings
    /// The size inference runs at: by default ``ProcessSize/automatic`` (halved from a short side
    /// of 512 up).
    public var processSize: ProcessSize
    public var models: ModelDirectory
    /// Load the face landmarker, so that `settings.faces` can be on (now or after an update).
    /// nil: load it when the starting settings have faces on.
    public var loadsFaceLandmarker: Bool?
    public var maxFaces: Int
    /// Ask the face landmarker for the 52 blendshape scores of each face too (costs landmarker time).
    public var faceBlendshapes: Bool
    /// Ask MediaPipe for the category mask too (~4x the cost of the confidence mask at 720p).
    public var categoryMask: Bool
    /// Run the segmenter and the face landmarker at the same time, on two threads (false: one
    /// after the other on the inference thread). Offline, the landmarker is a stage of its own,
    /// one frame behind the segmenter (throughput: both cores busy on consecutive frames); live,
    /// the two work on the same frame side by side (latency: a frame waits for the slower one only).
    public var concurrentInference: Bool
    public var memoryGuard: MemoryGuardPolicy
    /// Time between telemetry reports (log line, metrics, `onSnapshot`).
    public var statsInterval: Duration
    /// Frames each hand-off holds in offline mode (live mode holds one). The pipeline preallocates
    /// a frame slot for each hand-off place and stage: `3 * handoffCapacity + 4`, or
    /// `4 * handoffCapacity + 5` offline with the face landmarker as a stage of its own.
    public var handoffCapacity: Int

    /// One: with the face landmarker on its own stage, each stage holds a frame and each hand-off
    /// one more, which kept every stage fed (720p offline, effects off, 2 cores: 42.9 FPS against
    /// 43.7 with two, within run-to-run spread) for 4 fewer slots (~18 MB less peak RSS at 720p).
    public static let defaultHandoffCapacity = 1
    public static let defaultStatsInterval = Duration.seconds(5)

    public init(mode: Mode = .offline, settings: PipelineSettings = PipelineSettings(), processSize: ProcessSize = .automatic,
                models: ModelDirectory = ModelDirectory(), loadsFaceLandmarker: Bool? = nil, maxFaces: Int = 1,
                faceBlendshapes: Bool = false, categoryMask: Bool = false, concurrentInference: Bool = true, memoryGuard: MemoryGuardPolicy = .init(),
                statsInterval: Duration = PipelineConfiguration.defaultStatsInterval,
                handoffCapacity: Int = PipelineConfiguration.defaultHandoffCapacity) {
        self.mode = mode
        self.settings = settings
        self.processSize = processSize
        self.models = models
        self.loadsFaceLandmarker = loadsFaceLandmarker
        self.maxFaces = maxFaces
        self.faceBlendshapes = faceBlendshapes
        self.categoryMask = categoryMask
        self.concurrentInference = concurrentInference
        self.memoryGuard = memoryGuard
        self.statsInterval = statsInterval
        self.handoffCapacity = handoffCapacity
    }

    /// Whether the face landmarker is loaded (stated, or implied by the starting settings), so
    /// that `settings.faces` may be turned on while the pipeline runs.
    public var landmarkerLoaded: Bool { loadsFaceLandmarker ?? settings.faces }

    /// The faces the landmarker looks for: `maxFaces`, raised to ``FaceHiding/faceLimit`` when the
    /// starting settings hide faces and to ``Framing/facesFramed`` when they frame them (looking
    /// for more than one costs the landmarker about three times the CPU at 720p, so a run that does
    /// neither keeps `maxFaces`).
    public var landmarkerFaces: Int {
        max(maxFaces, settings.hiding == nil ? 1 : FaceHiding.faceLimit, settings.framing == nil ? 1 : Framing.facesFramed)
    }

    /// Offline with concurrent inference: the face landmarker runs on its own stage, a frame behind the segmenter.
    var landmarkerHasOwnStage: Bool { mode == .offline && concurrentInference && landmarkerLoaded }
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

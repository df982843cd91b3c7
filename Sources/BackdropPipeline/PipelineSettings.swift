import BackdropEffects

/// What a pipeline does to frames, as one value an app may change while it runs
/// (``Pipeline/update(_:fromFrame:)``): the effect and its parameters, the mask's smoothing and
/// feathering, face landmarks on or off, the rate cap. Each frame is processed with exactly one
/// settings value: a change takes effect from one frame to the next, never halfway through one.
///
/// What is fixed for a run (the models, the processing size, the mode) is in
/// ``PipelineConfiguration`` instead.
public struct PipelineSettings: Sendable, Equatable {
    /// What is drawn on each frame.
    public var effect: Effect
    /// Temporal smoothing of the mask (stops edge flicker).
    public var smoothing: Bool
    /// Feathering radius of the mask's edge, in full-size pixels (0: none; at most ``featherLimit``).
    public var featherRadius: Int
    /// Moves the mask's soft edge into the person (positive) or out into the background
    /// (negative), as a share of the confidence range (within ``edgeBiasRange``): confidence `c`
    /// becomes `(c - bias) / (1 - bias)` (positive) or `c / (1 + bias)` (negative), clamped to 0...1.
    /// With ``featherRadius`` this is the feather's direction: inward, centred (0) or outward.
    public var edgeBias: Float
    /// Snap the mask's edge to the frame's edges (a guided filter) instead of a smooth bilinear
    /// enlargement. On the quality benchmark's exact truth it raises the mask's error around soft
    /// hair (see BENCHMARKS.md), so it is off by default; it helps hard edges against plain walls.
    public var refinesEdges: Bool
    /// Find face landmarks. Needs a pipeline whose configuration loads the face landmarker.
    public var faces: Bool
    /// At most this many frames per second are processed: live mode drops the excess (counted as
    /// rate-cap drops), offline mode is paced to it. nil: the mode's default, ``defaultLiveMaxFPS``
    /// live and no pacing offline (a file is processed as fast as the machine allows).
    public var maxFPS: Double?
    /// Blur or pixelate faces (after the effect), nil: faces are shown. Needs `faces` on; finds as
    /// many faces as the pipeline's landmarker was built for (``PipelineConfiguration/landmarkerFaces``).
    public var hiding: FaceHiding?
    /// Auto-framing: the output is a crop around the faces, drawn after the effect (nil: off).
    /// Needs faces on; the pipeline's configuration says how many faces the landmarker finds.
    public var framing: Framing?

    /// The rate cap of a live run that states none.
    public static let defaultLiveMaxFPS = 60.0
    /// The widest feather an update accepts, in pixels.
    public static let featherLimit = 64
    /// The default feathering, in pixels.
    public static let defaultFeatherRadius = 2
    /// The default edge bias: inward by a fifth of the confidence range. On the quality
    /// benchmark's clips (BENCHMARKS.md) it brings the mask nearer the true alpha than 0 or 0.1
    /// (MAE 7.1 / 6.0 against 8.2 / 7.8 at 0) and leaves the least sharp background around the
    /// person (halo 0.84 / 1.24 against 1.11 / 1.58), at the price of the finest hair strands.
    public static let defaultEdgeBias: Float = 0.2
    /// The edge biases an update accepts.
    public static let edgeBiasRange: ClosedRange<Float> = -0.5...0.5
    /// The blur strengths the command line and the studio accept, in pixels of reach.
    public static let blurStrengthRange = 1...100
    /// The feather radii an update accepts, in pixels.
    public static let featherRange = 0...featherLimit
    /// The rate caps the command line and the studio accept, in frames per second.
    public static let maxFPSRange = 0.1...1000.0

    public init(effect: Effect = .default, smoothing: Bool = true, featherRadius: Int = PipelineSettings.defaultFeatherRadius,
                faces: Bool = true, maxFPS: Double? = nil, edgeBias: Float = PipelineSettings.defaultEdgeBias,
                refinesEdges: Bool = false, hiding: FaceHiding? = nil, framing: Framing? = nil) {
        self.edgeBias = edgeBias
        self.refinesEdges = refinesEdges
        self.effect = effect
        self.smoothing = smoothing
        self.featherRadius = featherRadius
        self.faces = faces
        self.maxFPS = maxFPS
        self.hiding = hiding
        self.framing = framing
    }

    /// The rate cap in force in `mode`, in frames per second (nil: none).
    public func rateCap(in mode: PipelineConfiguration.Mode) -> Double? {
        maxFPS ?? (mode == .live ? Self.defaultLiveMaxFPS : nil)
    }

    /// Why these settings can't run, or nil when they can.
    func problem(landmarkerLoaded: Bool) -> String? {
        if featherRadius < 0 || featherRadius > Self.featherLimit {
            return "featherRadius \(featherRadius) is out of range: use 0...\(Self.featherLimit) pixels"
        }
        if !Self.edgeBiasRange.contains(edgeBias) {  // NaN is contained in no range
            return "edgeBias \(edgeBias) is out of range: use \(Self.edgeBiasRange.lowerBound)...\(Self.edgeBiasRange.upperBound)"
        }
        if let maxFPS, !(maxFPS > 0 && maxFPS.isFinite) {
            return "maxFPS \(maxFPS) is not a rate: use a positive number of frames per second, or nil for the mode's default"
        }
        if faces && !landmarkerLoaded {
            return "faces are on but this pipeline did not load the face landmarker: build it with "
                + "PipelineConfiguration(loadsFaceLandmarker: true) to turn faces on while it runs"
        }
        if let hiding {
            if let problem = hiding.problem { return "face hiding: \(problem)" }
            if !faces { return "face hiding needs faces on: turn faces on with it" }
        }
        if let framing {
            if let problem = framing.problem { return problem }
            if !faces { return "framing follows the faces but faces are off: turn faces on with it" }
        }
        if effect.usesFaces && !faces {
            return "the effect draws face landmarks but faces are off: turn faces on with it"
        }
        switch effect {
        case .blur(let strength) where strength < 0:
            return "blur strength \(strength) is negative: use 0 (sharp) or more pixels"
        case .replace(let image):
            if let problem = image.layoutProblem { return "the background image is unusable: \(problem)" }
            if image.format == .gray { return "the background image is grayscale: give an RGB or RGBA image" }
        default:
            break
        }
        return nil
    }
}

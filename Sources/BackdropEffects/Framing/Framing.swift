/// How auto-framing crops the frame around the faces: a value a pipeline's settings carry (nil
/// there: framing off), so it may change while a pipeline runs. Each parameter trades one thing
/// for another; the defaults suit a talking head at 720p.
public struct Framing: Sendable, Equatable {
    /// What the frame does while no face is seen.
    public enum WhenNoFace: Sendable, Equatable {
        /// Keep the last crop (a person who looks away or is briefly hidden stays framed).
        case hold
        /// Ease back to the whole frame once no face has been seen for this many seconds.
        case returnToFullFrame(afterSeconds: Double)
    }

    /// The share of the output's height the face (all faces' box) fills, 0.1...0.8: more is a
    /// closer shot, within ``maximumZoom``.
    public var tightness: Double
    /// How fast the crop follows, 0.25...4 (1: a jump settles in about half a second; 2 twice as
    /// fast, and jerkier; 0.5 calmer, and lagging).
    public var speed: Double
    /// The closest the crop may zoom, 1...4 (2: a crop of half the frame's width at most): more
    /// frames a distant face closer, with softer pixels.
    public var maximumZoom: Double
    public var whenNoFace: WhenNoFace

    public static let tightnessRange = 0.1...0.8
    public static let speedRange = 0.25...4.0
    public static let maximumZoomRange = 1.0...4.0
    /// The seconds without a face the command line and the studio accept before easing back.
    public static let noFaceSecondsRange = 0.0...600.0

    public static let defaultTightness = 0.4
    public static let defaultSpeed = 1.0
    public static let defaultMaximumZoom = 2.0
    public static let defaultWhenNoFace = WhenNoFace.returnToFullFrame(afterSeconds: 2)
    /// The faces a pipeline asks the landmarker for while framing (one otherwise): framing keeps
    /// them all in the picture. More faces cost more landmarker time on every frame.
    public static let facesFramed = 4

    public init(tightness: Double = Framing.defaultTightness, speed: Double = Framing.defaultSpeed,
                maximumZoom: Double = Framing.defaultMaximumZoom, whenNoFace: WhenNoFace = Framing.defaultWhenNoFace) {
        self.tightness = tightness
        self.speed = speed
        self.maximumZoom = maximumZoom
        self.whenNoFace = whenNoFace
    }

    /// Why these parameters can't be used, or nil when they can.
    public var problem: String? {
        if !Self.tightnessRange.contains(tightness) { return "framing tightness \(tightness) is out of range: use 0.1...0.8" }
        if !Self.speedRange.contains(speed) { return "framing speed \(speed) is out of range: use 0.25...4" }
        if !Self.maximumZoomRange.contains(maximumZoom) { return "framing maximum zoom \(maximumZoom) is out of range: use 1...4" }
        if case .returnToFullFrame(let seconds) = whenNoFace, !Self.noFaceSecondsRange.contains(seconds) {
            return "framing's seconds before returning to the full frame, \(seconds), are out of range: use 0...600"
        }
        return nil
    }
}

import ArgumentParser
import BackdropEffects

/// `backdrop run`'s auto-framing options: `--framing auto` crops the output around the faces.
struct FramingOptions: ParsableArguments {
    enum Choice: String, ExpressibleByArgument, CaseIterable { case off, auto }
    enum NoFace: String, ExpressibleByArgument, CaseIterable { case hold, fullFrame = "full-frame" }

    @Option(help: "off, or auto: the output is a crop that keeps the face (all faces, up to \(Framing.facesFramed)) well placed, at the output's own size, moving smoothly; small head movements leave it still. The effect is drawn before the crop; --mask-output still describes the whole frame. Finding several faces costs landmarker time on every frame.")
    var framing: Choice = .off
    @Option(help: "How much of the output's height the face fills, 0.1 to 0.8: more is a closer shot (within --framing-max-zoom).")
    var framingTightness = Framing.defaultTightness
    @Option(help: "How fast the crop follows the face, 0.25 to 4 (1: a jump settles in about half a second): faster catches up sooner and looks more nervous; slower is calmer and lags.")
    var framingSpeed = Framing.defaultSpeed
    @Option(help: "The closest the crop may zoom, 1 to 4 (2: half the frame's width): more frames a distant face closer, with softer pixels.")
    var framingMaxZoom = Framing.defaultMaximumZoom
    @Option(help: "With no face seen: hold (keep the last crop: someone looking away stays framed) or full-frame (ease back to the whole frame after --framing-no-face-seconds).")
    var framingNoFace: NoFace = .fullFrame
    @Option(help: "Seconds without a face before full-frame eases back to the whole frame, 0 to 600: longer rides out a face briefly hidden.")
    var framingNoFaceSeconds = 2.0

    func validate() throws {
        try OptionRules.require(framingTightness, in: Framing.tightnessRange, "--framing-tightness", "share of the output's height the face fills")
        try OptionRules.require(framingSpeed, in: Framing.speedRange, "--framing-speed", "how fast the crop follows; 1 is the default")
        try OptionRules.require(framingMaxZoom, in: Framing.maximumZoomRange, "--framing-max-zoom", "the closest zoom")
        try OptionRules.require(framingNoFaceSeconds, in: Framing.noFaceSecondsRange, "--framing-no-face-seconds",
                                "seconds without a face before the whole frame")
    }

    /// The framing the options ask for (nil: off).
    var requested: Framing? {
        guard framing == .auto else { return nil }
        return Framing(tightness: framingTightness, speed: framingSpeed, maximumZoom: framingMaxZoom,
                       whenNoFace: framingNoFace == .hold ? .hold : .returnToFullFrame(afterSeconds: framingNoFaceSeconds))
    }
}

import ArgumentParser
import BackdropCore
import BackdropEffects
import BackdropMedia
import BackdropMediaPipe
import BackdropPipeline
import BackdropTestSupport
import Foundation

struct EffectsSpeed: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "effects-speed",
        abstract: "Milliseconds per 1280x720 frame of each effect step (mask refinement, smoothing, blur, replacement).",
        discussion: "The frame is the synthetic scene's first; its mask comes from segmenting a 256x144 copy, as --process-size 256x144 would.")

    @Option(help: "Timed repetitions of each step.")
    var iterations = 40

    @Option(help: "Only the steps whose name starts with this (e.g. \"per frame\", for a profile of that path).")
    var only: String?

    // The mask and blur settings of the "per frame" steps, spelled as `backdrop run` spells them
    // (so a benchmark can pass a run's options through).
    @Option(help: "The per-frame path's feather, in pixels (as backdrop run).")
    var feather = PipelineSettings.defaultFeatherRadius
    @Option(help: "The per-frame path's edge bias (as backdrop run).")
    var edgeBias = PipelineSettings.defaultEdgeBias
    @Flag(inversion: .prefixedNo, help: "The per-frame path snaps the mask to the frame's edges (as backdrop run).")
    var refineEdges = false
    @Flag(inversion: .prefixedNo, help: "The per-frame path smooths the mask over time (as backdrop run).")
    var smoothing = true
    @Option(help: "The per-frame path's blur strength (as backdrop run).")
    var blurStrength = Effect.defaultBlurStrength
    @Option(help: ArgumentHelp("The segmenter's image for the per-frame path: WxH, or automatic (320x180 at 720p, as backdrop run).", valueName: "WIDTHxHEIGHT"))
    var processSize = "automatic"

    func run() throws {
        let original = try syntheticSceneFrame()
        var smallFrame = PixelImage(width: 256, height: 144, format: .rgb)
        try ImageResampler().resize(original, to: 256, 144, into: &smallFrame)  // as the inference stage does
        let segmenter = try ImageSegmenter(options: .init(modelPath: ModelDirectory().segmenterPath))
        let small = try segmenter.segment(smallFrame).confidenceMasks[0]

        func measure(_ name: String, _ body: () -> Void) {
            if let only, !name.hasPrefix(only) { return }
            body()  // sizes the buffers
            let start = DispatchTime.now().uptimeNanoseconds, startCPU = threadCPUNanoseconds()
            for _ in 0..<iterations { body() }
            let milliseconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e6 / Double(iterations)
            let cpuMilliseconds = Double(threadCPUNanoseconds() - startCPU) / 1e6 / Double(iterations)
            print(name.padding(toLength: 56, withPad: " ", startingAt: 0)
                  + String(format: "%7.2f ms CPU %7.2f ms wall", cpuMilliseconds, milliseconds))
        }

        print("Milliseconds per call on one thread: CPU time (what the step costs, whatever else runs) and wall time.")
        let refiner = MaskRefiner()
        var full = ConfidenceMask()
        measure("refine (guided) 256x144 -> 1280x720") { refiner.refine(small, guide: original, into: &full) }
        var bilinear = ConfidenceMask()
        measure("upscale (bilinear) 256x144 -> 1280x720") { refiner.upscale(small, width: 1280, height: 720, into: &bilinear) }
        let smoother = TemporalSmoother()
        var smoothed = ConfidenceMask()
        measure("temporal smoothing at 256x144") { smoother.smooth(small, into: &smoothed) }
        var feathered = full
        measure("feather, radius 4") { refiner.feather(&feathered, radius: 4) }
        var image = original
        let blur = BackgroundBlur(strength: 15)
        measure("blur, strength 15 (half size: blur + composite)") { blur.apply(to: &image, mask: full) }
        let fullSizeBlur = BackgroundBlur(strength: 15, halfSizeFromBoxRadius: .max)
        measure("blur, strength 15 (full size: blur + composite)") { fullSizeBlur.apply(to: &image, mask: full) }
        let replacement = BackgroundReplacement(image: smallFrame)
        measure("replace with an image (composite)") { replacement.apply(to: &image, mask: full) }
        let green = BackgroundReplacement.greenScreen()
        measure("green screen") { green.apply(to: &image, mask: full) }
        let renderer = EffectRenderer(effect: .blur(strength: 15))
        measure("renderer: smooth + refine + blur") { renderer.apply(to: &image, mask: small, faces: nil) }

        // The pipeline's path at 720p by default: the landmarker's image is the frame halved
        // (640x360), which the effect stage reuses as its half-size frame; the segmenter's is that
        // halved again (320x180), and its mask is prepared at half size and blurred at quarter size.
        var halfFrame = PixelImage(width: 640, height: 360, format: .rgb)
        try ImageResampler().halve(original, times: 1, into: &halfFrame)
        let segmenterSize = try segmenterImageSize()
        var segmenterImage = PixelImage(width: segmenterSize.width, height: segmenterSize.height, format: .rgb)
        try ImageResampler().resize(original, to: segmenterSize.width, segmenterSize.height, into: &segmenterImage)
        let pipelineMask = try segmenter.segment(segmenterImage).confidenceMasks[0]
        let pipelinePath = EffectRenderer(effect: .blur(strength: blurStrength), smoothsMask: smoothing, refinesMask: refineEdges)
        let steps = [smoothing ? "smooth" : nil, refineEdges ? "refine" : "enlarge", "feather \(feather)",
                     edgeBias != 0 ? "edge bias \(edgeBias)" : nil].compactMap { $0 }.joined(separator: ", ")
        measure("per frame: prepare mask (\(segmenterSize.width)x\(segmenterSize.height) in: \(steps))") {
            pipelinePath.prepareHalfSizeMask(pipelineMask, for: original, halfFrame: halfFrame, featherRadius: feather,
                                             edgeBias: edgeBias)
        }
        measure("per frame: blur \(blurStrength) with the prepared mask") {
            pipelinePath.applyPrepared(to: &image, halfFrame: halfFrame, faces: nil)
        }
        measure("per frame: prepare mask + blur, in all") {
            pipelinePath.prepareHalfSizeMask(pipelineMask, for: original, halfFrame: halfFrame, featherRadius: feather,
                                             edgeBias: edgeBias)
            pipelinePath.applyPrepared(to: &image, halfFrame: halfFrame, faces: nil)
        }
        var fullMask = ConfidenceMask()
        measure("the full-size mask, for a mask video or a library caller") {
            pipelinePath.writePreparedMask(for: original, into: &fullMask)
        }

        // Face hiding after the effect: the three heads of the face-hiding tests (256, 160 and
        // 166 pixels wide at 720p), all hidden (no main face kept), boxes grown by the default margin.
        let heads = FaceCollage.threeHeads(frameIndex: 0, width: original.width, height: original.height)
        let faceBoxes = heads.map { head in
            let box = FaceCollage.faceBox(of: head, width: original.width, height: original.height)
            return FaceBox(left: Double(box.left), top: Double(box.top), right: Double(box.right), bottom: Double(box.bottom))
        }
        for style in FaceHiding.Style.allCases {
            let hider = FaceHider()
            measure("per frame: hide 3 faces (\(style.rawValue))") {
                hider.hide(in: &image, boxes: faceBoxes, settings: FaceHiding(style: style))
            }
        }
        measureFraming(measure)
    }

    /// Auto-framing after the effect: the target from 478 landmarks, the spring, the crop drawn at
    /// 1280x720. Two faces alternate every 5 frames, so the crop is always moving (a resting crop
    /// costs the same: it is drawn every frame unless it is the whole frame).
    private func measureFraming(_ measure: (String, () -> Void) -> Void) {
        func face(x: Float, y: Float, size: Float) -> FaceLandmarkerResult {
            FaceLandmarkerResult(faces: [DetectedFace(landmarks: (0..<478).map {
                NormalizedLandmark(x: x + size * Float($0 % 2), y: y + size * Float(($0 / 2) % 2), z: 0)
            })])
        }
        let faces = [face(x: 0.3, y: 0.25, size: 0.15), face(x: 0.55, y: 0.35, size: 0.2)]
        let framer = AutoFramer()
        var frame = PixelImage(width: 1280, height: 720, format: .rgb)
        var index = 0
        measure("per frame: auto-framing at 1280x720 (target, spring, crop)") {
            framer.frame(&frame, faces: faces[(index / 5) % 2], timestampMicroseconds: Int64(index) * 33_333, framing: Framing())
            index += 1
        }
    }
}

extension EffectsSpeed {
    /// `--process-size` as the segmenter's image size at 720p.
    func segmenterImageSize() throws -> (width: Int, height: Int) {
        if processSize == "automatic" { return (320, 180) }
        let sides = processSize.split(separator: "x").compactMap { Int($0) }
        guard sides.count == 2, sides.allSatisfy({ (16...1280).contains($0) }) else {
            throw ValidationError("--process-size takes WIDTHxHEIGHT (16 to 1280 each) or automatic; got \(processSize)")
        }
        return (sides[0], sides[1])
    }
}

/// This thread's CPU time: unlike wall time, it does not count the time other processes had the core.
private func threadCPUNanoseconds() -> UInt64 {
    var time = timespec()
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &time)
    return UInt64(time.tv_sec) * 1_000_000_000 + UInt64(time.tv_nsec)
}

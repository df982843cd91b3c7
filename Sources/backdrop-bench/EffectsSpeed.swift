import ArgumentParser
import BackdropCore
import BackdropEffects
import BackdropMedia
import BackdropMediaPipe
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

        // The pipeline's path at 720p by default: inference on the frame halved (640x360), whose
        // mask and image the effect stage prepares and blurs at half size.
        var halfFrame = PixelImage(width: 640, height: 360, format: .rgb)
        try ImageResampler().resize(original, to: 640, 360, into: &halfFrame)
        let halfMask = try segmenter.segment(halfFrame).confidenceMasks[0]
        let pipelinePath = EffectRenderer(effect: .blur(strength: Effect.defaultBlurStrength))
        let feather = 2
        measure("per frame: prepare mask (640x360 in: smooth, refine, feather \(feather))") {
            pipelinePath.prepareHalfSizeMask(halfMask, for: original, halfFrame: halfFrame, featherRadius: feather)
        }
        measure("per frame: blur \(Effect.defaultBlurStrength) with the prepared mask") {
            pipelinePath.applyPrepared(to: &image, halfFrame: halfFrame, faces: nil)
        }
        measure("per frame: smooth + refine + feather + blur, in all") {
            pipelinePath.prepareHalfSizeMask(halfMask, for: original, halfFrame: halfFrame, featherRadius: feather)
            pipelinePath.applyPrepared(to: &image, halfFrame: halfFrame, faces: nil)
        }
        var fullMask = ConfidenceMask()
        measure("the full-size mask, for a mask video or a library caller") {
            pipelinePath.writePreparedMask(for: original, into: &fullMask)
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

/// This thread's CPU time: unlike wall time, it does not count the time other processes had the core.
private func threadCPUNanoseconds() -> UInt64 {
    var time = timespec()
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &time)
    return UInt64(time.tv_sec) * 1_000_000_000 + UInt64(time.tv_nsec)
}

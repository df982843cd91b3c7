import BackdropCore
import BackdropMediaPipe

/// The inference stage's work on one frame: bring it to the processing size, run the segmenter,
/// and run the face landmarker where it is not a stage of its own: after the segmenter on this
/// thread, or at the same time on a `FaceWorker`'s. Results go into the frame's slot.
final class InferenceStage {
    /// Where the face landmarker runs relative to the segmenter.
    enum FacePlacement {
        /// Not loaded.
        case none
        /// After the segmenter, on the inference thread (no concurrent inference).
        case afterSegmenter
        /// On a worker thread, on the same frame as the segmenter (live: lowest latency).
        case sideBySide(FaceWorker)
        /// On a stage of its own, a frame behind (offline: throughput); the pipeline runs `faces` there.
        case ownStage
    }

    let segmenter: TaskGuard<ImageSegmenter>
    /// The face landmarker's work, wherever it runs (nil: not loaded).
    let faces: FaceStage?
    let facePlacement: FacePlacement
    private let configuration: PipelineConfiguration
    private let resizer = ImageResampler()
    private var lastTimestampMs: Int64 = -1
    private var isShutDown = false

    init(configuration: PipelineConfiguration, onSwap: @escaping @Sendable (String) -> Void) throws(MediaPipeError) {
        self.configuration = configuration
        let segmenterOptions = ImageSegmenterOptions(modelPath: configuration.models.segmenterPath, runningMode: .video,
                                                     outputConfidenceMasks: true, outputCategoryMask: configuration.categoryMask)
        segmenter = try TaskGuard(name: "segmenter", policy: configuration.memoryGuard, onSwap: onSwap,
                                  close: { try? $0.close() },
                                  make: { () throws(MediaPipeError) in try ImageSegmenter(options: segmenterOptions) })
        guard configuration.landmarkerLoaded else {
            faces = nil
            facePlacement = .none
            return
        }
        let faces = try FaceStage(configuration: configuration, onSwap: onSwap)
        self.faces = faces
        facePlacement = if !configuration.concurrentInference {
            .afterSegmenter
        } else if configuration.landmarkerHasOwnStage {
            .ownStage
        } else {
            .sideBySide(FaceWorker(landmarker: faces.landmarker))
        }
    }

    func process(_ slot: inout FrameSlot) throws {
        // MediaPipe's VIDEO mode needs strictly increasing milliseconds; sources give microseconds.
        let timestamp = max(slot.video.timestampMilliseconds, lastTimestampMs + 1)
        lastTimestampMs = timestamp
        slot.inferenceTimestampMs = timestamp
        try makeInferenceImage(&slot)
        let image = slot.inferenceInput == .frame ? slot.video.image : slot.small
        try infer(on: image, segmenting: slot.segmenterHalvings > 0 ? slot.segmenterImage : image, into: &slot)
    }

    /// Fills `slot.small` with the frame at the processing size, or leaves it unused (`.frame`).
    private func makeInferenceImage(_ slot: inout FrameSlot) throws {
        let width = slot.video.image.width, height = slot.video.image.height
        slot.segmenterHalvings = 0
        switch configuration.processSize {
        case .full:
            slot.inferenceInput = .frame
        case .automatic:
            let halvings = PipelineConfiguration.ProcessSize.automaticHalvings(width: width, height: height)
            let segmenterHalvings = PipelineConfiguration.ProcessSize.automaticSegmenterHalvings(width: width, height: height)
            guard halvings > 0 else { return slot.inferenceInput = .frame }
            try resizer.halve(slot.video.image, times: halvings, into: &slot.small)
            slot.inferenceInput = .halved(halvings)
            if segmenterHalvings > halvings {
                try resizer.halve(slot.small, times: segmenterHalvings - halvings, into: &slot.segmenterImage)
                slot.segmenterHalvings = segmenterHalvings - halvings
            }
        case .fixed(let size):
            guard size.width != width || size.height != height else { return slot.inferenceInput = .frame }
            try resizer.resize(slot.video.image, to: size.width, size.height, into: &slot.small)
            // The resampler reduces by exactly 2 or 4 with 2x2 averages, as `halve` does.
            let exact = (1...2).first { size.width << $0 == width && size.height << $0 == height }
            slot.inferenceInput = exact.map { .halved($0) } ?? .resampled
        }
    }

    /// Runs the segmenter on `segmented` and the landmarker (where it runs here) on `image`.
    private func infer(on image: PixelImage, segmenting segmented: PixelImage, into slot: inout FrameSlot) throws {
        let timestamp = slot.inferenceTimestampMs
        let facesWanted = slot.settings.settings.faces
        switch facePlacement {
        case .sideBySide(let worker) where facesWanted:
            worker.begin(image, timestampMs: timestamp)
            let segmentation = Result { () throws(MediaPipeError) in
                try segmenter.current.segment(videoFrame: segmented, timestampMs: timestamp, into: &slot.segmentation)
            }
            try worker.finish(into: &slot.faces)  // always waited for, so the worker is idle again
            try segmentation.get()
        case .afterSegmenter:
            try segmenter.current.segment(videoFrame: segmented, timestampMs: timestamp, into: &slot.segmentation)
            try faces?.process(&slot)
        case .ownStage:
            try segmenter.current.segment(videoFrame: segmented, timestampMs: timestamp, into: &slot.segmentation)
        case .none, .sideBySide:  // no landmarker, or faces off for this frame
            try segmenter.current.segment(videoFrame: segmented, timestampMs: timestamp, into: &slot.segmentation)
            slot.faces.faces.removeAll(keepingCapacity: true)
        }
        segmenter.frameDone()
    }

    var swaps: Int { segmenter.swaps + (faces?.landmarker.swaps ?? 0) }

    /// Stops the face worker's thread and closes the tasks. Idempotent; also run when the stage is
    /// released, so a pipeline that was built but never run leaves no thread or task behind.
    func shutDown() {
        if isShutDown { return }
        isShutDown = true
        if case .sideBySide(let worker) = facePlacement { worker.stop() }
        segmenter.shutDown()
        faces?.shutDown()
    }

    deinit { shutDown() }
}

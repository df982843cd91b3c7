import BackdropCore
import BackdropMediaPipe

/// The inference stage's work on one frame: scale it to the processing size, run the segmenter
/// and (at the same time, where configured) the face landmarker, results into the frame's slot.
final class InferenceStage {
    let segmenter: TaskGuard<ImageSegmenter>
    private let faceWorker: FaceWorker?
    private let landmarker: TaskGuard<FaceLandmarker>?
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
        if configuration.landmarkerLoaded {
            let faceOptions = FaceLandmarkerOptions(modelPath: configuration.models.faceLandmarkerPath, runningMode: .video,
                                                    numFaces: configuration.maxFaces)
            let guarded = try TaskGuard(name: "face-landmarker", policy: configuration.memoryGuard, onSwap: onSwap,
                                        close: { try? $0.close() },
                                        make: { () throws(MediaPipeError) in try FaceLandmarker(options: faceOptions) })
            landmarker = guarded
            faceWorker = configuration.concurrentInference ? FaceWorker(landmarker: guarded) : nil
        } else {
            landmarker = nil
            faceWorker = nil
        }
    }

    func process(_ slot: inout FrameSlot) throws {
        // MediaPipe's VIDEO mode needs strictly increasing milliseconds; sources give microseconds.
        let timestamp = max(slot.video.timestampMilliseconds, lastTimestampMs + 1)
        lastTimestampMs = timestamp
        slot.lendMaskToSegmenter()
        if let size = configuration.processSize, size.width != slot.video.image.width || size.height != slot.video.image.height {
            try resizer.resize(slot.video.image, to: size.width, size.height, into: &slot.small)
            try infer(on: slot.small, timestamp: timestamp, into: &slot)
        } else {
            try infer(on: slot.video.image, timestamp: timestamp, into: &slot)
        }
    }

    private func infer(on image: PixelImage, timestamp: Int64, into slot: inout FrameSlot) throws {
        guard slot.settings.settings.faces else {  // turned off for this frame: the landmarker idles
            try segmenter.current.segment(videoFrame: image, timestampMs: timestamp, into: &slot.segmentation)
            slot.faces.faces.removeAll(keepingCapacity: true)
            segmenter.frameDone()
            return
        }
        if let faceWorker {
            faceWorker.begin(image, timestampMs: timestamp)
            let segmented = Result { () throws(MediaPipeError) in
                try segmenter.current.segment(videoFrame: image, timestampMs: timestamp, into: &slot.segmentation)
            }
            try faceWorker.finish(into: &slot.faces)  // always waited for, so the worker is idle again
            try segmented.get()
        } else {
            try segmenter.current.segment(videoFrame: image, timestampMs: timestamp, into: &slot.segmentation)
            if let landmarker {
                try landmarker.current.detect(videoFrame: image, timestampMs: timestamp, into: &slot.faces)
                landmarker.frameDone()
            } else {
                slot.faces.faces.removeAll(keepingCapacity: true)
            }
        }
        segmenter.frameDone()
    }

    var swaps: Int { segmenter.swaps + (landmarker?.swaps ?? 0) }

    /// Stops the face worker's thread and closes the tasks. Idempotent; also run when the stage is
    /// released, so a pipeline that was built but never run leaves no thread or task behind.
    func shutDown() {
        if isShutDown { return }
        isShutDown = true
        faceWorker?.stop()
        segmenter.shutDown()
        landmarker?.shutDown()
    }

    deinit { shutDown() }
}

import BackdropCore
import BackdropMediaPipe

/// The face landmarker's work on one frame, after the segmenter's: it is given the image and the
/// timestamp the segmenter was given (both in the slot), so a frame's faces and mask come from the
/// same image however far apart the two ran. Offline with concurrent inference this runs on a
/// stage thread of its own, a frame behind the segmenter; otherwise the inference stage calls it
/// (or hands its landmarker to a `FaceWorker`).
final class FaceStage {
    let landmarker: TaskGuard<FaceLandmarker>

    init(configuration: PipelineConfiguration, onSwap: @escaping @Sendable (String) -> Void) throws(MediaPipeError) {
        let options = FaceLandmarkerOptions(modelPath: configuration.models.faceLandmarkerPath, runningMode: .video,
                                            numFaces: configuration.landmarkerFaces, outputBlendshapes: configuration.faceBlendshapes)
        landmarker = try TaskGuard(name: "face-landmarker", policy: configuration.memoryGuard, onSwap: onSwap,
                                   close: { try? $0.close() },
                                   make: { () throws(MediaPipeError) in try FaceLandmarker(options: options) })
    }

    /// Finds the faces in the image inference ran on, into `slot.faces` (emptied when the frame's
    /// settings have faces off: the landmarker idles).
    func process(_ slot: inout FrameSlot) throws(MediaPipeError) {
        guard slot.settings.settings.faces else { return slot.faces.faces.removeAll(keepingCapacity: true) }
        if slot.inferenceInput == .frame {
            try landmarker.current.detect(videoFrame: slot.video.image, timestampMs: slot.inferenceTimestampMs, into: &slot.faces)
        } else {
            try landmarker.current.detect(videoFrame: slot.small, timestampMs: slot.inferenceTimestampMs, into: &slot.faces)
        }
        landmarker.frameDone()
    }

    func shutDown() { landmarker.shutDown() }
}

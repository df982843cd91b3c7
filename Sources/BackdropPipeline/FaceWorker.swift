import BackdropCore
import BackdropMediaPipe
import Foundation

/// Runs the face landmarker on its own thread so it works on a frame while the segmenter works on
/// the same frame. One frame at a time: `begin`, then `finish` (which waits for it).
final class FaceWorker: @unchecked Sendable {
    let landmarker: TaskGuard<FaceLandmarker>
    private let started = DispatchSemaphore(value: 0)
    private let finished = DispatchSemaphore(value: 0)
    // Written by the inference thread before `started` is signalled and read by it after `finished`:
    // the semaphores order every access.
    private var input: PixelImage?
    private var timestampMs: Int64 = 0
    private var result = FaceLandmarkerResult()
    private var failure: MediaPipeError?
    private var stopping = false

    init(landmarker: TaskGuard<FaceLandmarker>) {
        self.landmarker = landmarker
        startNamedThread("backdrop.faces") { self.loop() }  // holds the worker until stop() ends the loop
    }

    /// Starts detecting faces in `image` (shared, not copied: the caller leaves it alone until `finish`).
    func begin(_ image: PixelImage, timestampMs: Int64) {
        input = image
        self.timestampMs = timestampMs
        started.signal()
    }

    /// Waits for the frame given to `begin` and swaps its result into `faces` (the two result
    /// buffers trade places, so both keep being reused).
    func finish(into faces: inout FaceLandmarkerResult) throws(MediaPipeError) {
        finished.wait()
        if let failure {
            self.failure = nil
            throw failure
        }
        swap(&faces, &result)
        landmarker.frameDone()
    }

    func stop() {
        stopping = true
        started.signal()
    }

    private func loop() {
        while true {
            started.wait()
            if stopping { return }
            do {
                if let input { try landmarker.current.detect(videoFrame: input, timestampMs: timestampMs, into: &result) }
            } catch {
                failure = error
            }
            input = nil  // the caller's buffer is its own again
            finished.signal()
        }
    }
}

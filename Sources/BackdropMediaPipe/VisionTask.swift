import BackdropCore
import CMediaPipe
import Synchronization

/// What the image segmenter and the face landmarker share: one MediaPipe task instance, its
/// running mode, the timestamp rule, and closing it exactly once.
///
/// Calls are serialized by a lock: a task instance is used from one thread at a time, and the
/// result of one call is copied out before the next starts.
final class VisionTask: @unchecked Sendable {
    let runtime: MediaPipeRuntime
    let name: String
    let mode: RunningMode
    let handle: MpTaskPtr
    private let closeTask: (MediaPipeRuntime, MpTaskPtr) -> MediaPipeError?
    private let onClosed: @Sendable () -> Void

    private struct State {
        var lastTimestampMs: Int64?
        var isClosed = false
    }
    private let state = Mutex(State())

    init(runtime: MediaPipeRuntime, name: String, mode: RunningMode, handle: MpTaskPtr,
         close: @escaping (MediaPipeRuntime, MpTaskPtr) -> MediaPipeError?,
         onClosed: @escaping @Sendable () -> Void = {}) {
        self.runtime = runtime
        self.name = name
        self.mode = mode
        self.handle = handle
        self.closeTask = close
        self.onClosed = onClosed
    }

    deinit { _ = close() }

    /// Closes the MediaPipe task once; later calls return nil and do nothing.
    func close() -> MediaPipeError? {
        let wasOpen = state.withLock { state -> Bool in
            defer { state.isClosed = true }
            return !state.isClosed
        }
        guard wasOpen else { return nil }
        let error = closeTask(runtime, handle)
        onClosed()
        return error
    }

    /// Validates the call, wraps `image` in a MediaPipe image for the duration of `body`, and
    /// frees it on every path.
    func run(_ operation: String, in requiredMode: RunningMode, image: PixelImage,
             processing: ImageProcessingOptions?, timestampMs: Int64?,
             _ body: (MpTaskPtr, MpImagePtr, UnsafePointer<MpImageProcessingOptions>?) -> MediaPipeError?)
        -> MediaPipeError?
    {
        guard requiredMode == mode else { return .wrongRunningMode(operation: operation, taskMode: mode) }
        if let problem = image.layoutProblem { return .invalidImage(problem) }
        return state.withLock { state -> MediaPipeError? in
            if state.isClosed { return .closed(task: name) }
            if let timestampMs {
                if let previous = state.lastTimestampMs, timestampMs <= previous {
                    return .timestampNotIncreasing(previous: previous, given: timestampMs)
                }
            }
            var mpImage: MpImagePtr? = nil
            let format: Int32 = switch image.format {
            case .rgb: Int32(MP_IMAGE_FORMAT_SRGB)
            case .rgba: Int32(MP_IMAGE_FORMAT_SRGBA)
            case .gray: Int32(MP_IMAGE_FORMAT_GRAY8)
            }
            let createError = image.pixels.withUnsafeBufferPointer { pixels in
                runtime.check("image creation") { message in
                    runtime.api.MpImageCreateFromUint8Data(format, Int32(image.width), Int32(image.height),
                                                           pixels.baseAddress, Int32(pixels.count), &mpImage, message)
                }
            }
            if let createError { return createError }
            guard let mpImage else { return .invalidImage("MediaPipe returned no image for \(image.width)x\(image.height)") }
            defer { runtime.api.MpImageFree(mpImage) }

            let error: MediaPipeError?
            if let processing {
                var cOptions = processing.cValue
                error = body(handle, mpImage, &cOptions)
            } else {
                error = body(handle, mpImage, nil)
            }
            // A timestamp counts as used once MediaPipe has seen it, even if the call failed.
            if let timestampMs, error == nil || mode == .liveStream { state.lastTimestampMs = timestampMs }
            return error
        }
    }
}

extension VisionTask {
    /// One synchronous call (IMAGE or VIDEO mode): runs `call`, copies its result out with `fill`,
    /// and closes MediaPipe's result before returning, on every path.
    func produce<CResult>(_ operation: String, in requiredMode: RunningMode, image: PixelImage,
                          processing: ImageProcessingOptions?, timestampMs: Int64?, empty: CResult,
                          call: (MpTaskPtr, MpImagePtr, UnsafePointer<MpImageProcessingOptions>?, UnsafeMutablePointer<CResult>,
                                 UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>) -> Int32,
                          closeResult: (UnsafeMutablePointer<CResult>) -> Void,
                          fill: (CResult) -> MediaPipeError?) throws(MediaPipeError) {
        let runtime = self.runtime
        let error = run(operation, in: requiredMode, image: image, processing: processing, timestampMs: timestampMs) {
            handle, mpImage, cProcessing in
            var cResult = empty
            if let error = runtime.check(operation, { call(handle, mpImage, cProcessing, &cResult, $0) }) { return error }
            defer { closeResult(&cResult) }
            return fill(cResult)
        }
        if let error { throw error }
    }

    /// One LIVE_STREAM call: hands the frame to MediaPipe; the result arrives at the slot handler.
    func send(_ operation: String, image: PixelImage, processing: ImageProcessingOptions?, timestampMs: Int64,
              call: (MpTaskPtr, MpImagePtr, UnsafePointer<MpImageProcessingOptions>?,
                     UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>) -> Int32) throws(MediaPipeError) {
        let runtime = self.runtime
        let error = run(operation, in: .liveStream, image: image, processing: processing, timestampMs: timestampMs) {
            handle, mpImage, cProcessing in
            runtime.check(operation) { call(handle, mpImage, cProcessing, $0) }
        }
        if let error { throw error }
    }
}

/// Copies a MediaPipe image's pixels into a Swift-owned mask, reusing the mask's storage when
/// its size is unchanged.
func copyPixels<T>(of image: MpImagePtr, runtime: MediaPipeRuntime, into mask: inout Mask<T>,
                   data: (MpImagePtr, UnsafeMutablePointer<UnsafePointer<T>?>,
                          UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>) -> Int32) -> MediaPipeError?
{
    let width = Int(runtime.api.MpImageGetWidth(image))
    let height = Int(runtime.api.MpImageGetHeight(image))
    let rowBytes = Int(runtime.api.MpImageGetWidthStep(image))
    var source: UnsafePointer<T>? = nil
    if let error = runtime.check("reading a mask", { data(image, &source, $0) }) { return error }
    guard let source, width > 0, height > 0 else { return .mediapipe(status: .internal, operation: "reading a mask", message: "empty mask") }
    mask.reshape(width: width, height: height)
    let rowStride = rowBytes > 0 ? rowBytes / MemoryLayout<T>.stride : width
    mask.values.withUnsafeMutableBufferPointer { destination in
        for y in 0..<height {
            (destination.baseAddress! + y * width).update(from: source + y * rowStride, count: width)
        }
    }
    return nil
}

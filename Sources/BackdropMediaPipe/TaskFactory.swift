import CMediaPipe
import Synchronization

/// How to create, feed back and close one kind of MediaPipe task; the one piece of creation
/// logic that both the segmenter and the face landmarker go through.
struct TaskFactory<CResult, Value: Sendable, Callback> {
    /// "image segmenter", "face landmarker": used in error messages.
    let name: String
    let slots: SlotTable<CResult>
    let callbackForSlot: (Int32) -> Callback?
    /// Copies a C result into a reusable Swift value.
    let fill: @Sendable (inout Value, UnsafePointer<CResult>, MediaPipeRuntime) -> MediaPipeError?
    let emptyValue: @Sendable () -> Value
    /// Calls the C create function with the base options and the callback (nil outside live-stream mode).
    let create: (MediaPipeRuntime, MpBaseOptions, Callback?, UnsafeMutablePointer<MpTaskPtr?>,
                 UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>) -> Int32
    let close: (MediaPipeRuntime, MpTaskPtr, UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>) -> Int32

    /// Creates the task. In live-stream mode (`delivery` given) a callback slot is claimed first and
    /// released when the task closes, or at once if creation fails.
    func make(modelPath: String, mode: RunningMode, runtime explicitRuntime: MediaPipeRuntime?,
              delivery: (@Sendable (LiveStreamResult<Value>) -> Void)?,
              finish: (@Sendable () -> Void)?) throws(MediaPipeError) -> VisionTask {
        let runtime: MediaPipeRuntime
        if let explicitRuntime { runtime = explicitRuntime } else { runtime = try MediaPipeRuntime.load() }
        if let error = checkModelFile(modelPath) { throw error }
        switch (mode, delivery) {
        case (.liveStream, nil): throw .invalidOptions("live-stream mode needs a result handler")
        case (.image, .some), (.video, .some): throw .invalidOptions("a result handler is only used in live-stream mode")
        default: break
        }

        var slot: Int? = nil
        if let delivery {
            slot = slots.claim(liveHandler(runtime: runtime, delivery: delivery))
            guard slot != nil else { throw .liveStreamSlotsExhausted(limit: slots.capacity) }
        }
        var handle: MpTaskPtr? = nil
        let callback = slot.flatMap { callbackForSlot(Int32($0)) }
        let createError = withBaseOptions(modelPath: modelPath) { base in
            runtime.check("\(name) creation") { create(runtime, base, callback, &handle, $0) }
        }
        guard createError == nil, let handle else {
            if let slot { slots.release(slot) }
            if case let .mediapipe(_, _, message) = createError {
                throw .modelRejected(path: modelPath, task: name, message: message)
            }
            throw createError ?? .modelRejected(path: modelPath, task: name, message: "MediaPipe created no task")
        }
        let slots = self.slots
        let claimedSlot = slot
        let close = self.close
        let taskName = self.name
        return VisionTask(runtime: runtime, name: taskName, mode: mode, handle: handle,
                          close: { runtime, handle in runtime.check("\(taskName) close") { close(runtime, handle, $0) } },
                          onClosed: {
                              if let claimedSlot { slots.release(claimedSlot) }
                              finish?()
                          })
    }

    /// The slot handler: copies each result into a per-task scratch value (reused while the
    /// receiver does not keep the previous one) and hands it on before MediaPipe frees the result.
    private func liveHandler(runtime: MediaPipeRuntime, delivery: @escaping @Sendable (LiveStreamResult<Value>) -> Void)
        -> SlotTable<CResult>.Handler
    {
        let scratch = Mutex(emptyValue())
        let fill = self.fill
        let name = self.name
        return { status, result, timestamp in
            guard status == 0, let result else {
                let failure = MediaPipeError.mediapipe(status: MediaPipeStatus(rawValue: status) ?? .unknown,
                                                       operation: "live-stream \(name)", message: "MediaPipe reported a failure for this frame")
                delivery(LiveStreamResult(timestampMs: timestamp, result: .failure(failure)))
                return
            }
            let copied = scratch.withLock { value -> Result<Value, MediaPipeError> in
                if let error = fill(&value, result, runtime) { return .failure(error) }
                return .success(value)
            }
            delivery(LiveStreamResult(timestampMs: timestamp, result: copied))
        }
    }
}

extension AsyncStream where Element: Sendable {
    /// A stream plus the two closures a live-stream task needs: yield a result, finish on close.
    static func liveResults(bufferingNewest: Int) -> (stream: AsyncStream<Element>, yield: @Sendable (Element) -> Void,
                                                      finish: @Sendable () -> Void) {
        let (stream, continuation) = AsyncStream<Element>.makeStream(bufferingPolicy: .bufferingNewest(Swift.max(1, bufferingNewest)))
        return (stream, { continuation.yield($0) }, { continuation.finish() })
    }
}

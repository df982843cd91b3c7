import BackdropCore
import Foundation

/// Keeps a live output (a virtual camera) at a steady frame rate while its frames come slower or
/// stop: each frame is written at once, a copy is kept, and a thread of its own writes the newest
/// frame again whenever a frame interval passes with no new one. Call apps expect a camera to send
/// at its rate; a pipeline that falls behind (a slow machine, a camera that was unplugged) would
/// otherwise look to them like a frozen or dead device.
///
/// Frames written are stamped on the writer's own clock (microseconds since it started), so the
/// output's timestamps increase steadily whatever the source's did. Writes happen under one lock:
/// `write` and the thread never overlap. The kept copy reuses its buffer: steady state allocates
/// nothing.
final class SteadyRateWriter: @unchecked Sendable {
    typealias Output = (VideoFrame) throws(MediaError) -> Void

    /// Seconds between frames.
    let interval: Double
    private let output: Output
    private let condition = NSCondition()
    // Guarded by `condition`:
    private var kept: VideoFrame
    private var hasFrame = false
    private var lastWrite: UInt64 = 0
    private var lastTimestamp: Int64 = -1
    private var stopped = false
    private var failure: MediaError?
    private var freshCount = 0
    private var repeatCount = 0
    private let startedAt = DispatchTime.now().uptimeNanoseconds

    /// - Parameters:
    ///   - frameRate: the rate to hold (the camera's).
    ///   - threadName: the repeating thread's name (shown by `top -H`).
    ///   - output: writes one frame to the device; called under the lock, from either thread.
    init(frameRate: Double, threadName: String, output: @escaping Output) {
        interval = 1 / min(max(frameRate, 1), 120)
        self.output = output
        kept = VideoFrame(image: PixelImage(width: 0, height: 0, format: .rgb))
        // The thread holds the writer until `stop()`.
        Thread.detachNewThread { [self] in
            CurrentThread.setName(threadName)
            repeatWhileIdle()
        }
    }

    /// Frames written as they came (`write`), and again as repeats.
    var framesWritten: (fresh: Int, repeated: Int) {
        condition.lock()
        defer { condition.unlock() }
        return (freshCount, repeatCount)
    }

    /// Writes `frame` now and keeps it to repeat. A `placeholder` (what to show before the first
    /// real frame) counts as a repeat. Throws the error the repeating thread met, if it met one.
    func write(_ frame: VideoFrame, placeholder: Bool = false) throws(MediaError) {
        condition.lock()
        defer { condition.unlock() }
        if let failure { throw failure }
        kept.image.overwrite(with: frame.image)
        kept.index = frame.index
        hasFrame = true
        try send()
        if placeholder { repeatCount += 1 } else { freshCount += 1 }
        condition.signal()
    }

    /// Ends the repeats: once it returns, `output` is not called again (a repeat in progress is
    /// waited for, as it holds the lock). The owner must call it: the thread keeps the writer alive
    /// until then. Idempotent.
    func stop() {
        condition.lock()
        stopped = true
        condition.broadcast()
        condition.unlock()
    }

    /// Writes `kept` stamped with the writer's clock. Called with the lock held.
    private func send() throws(MediaError) {
        let now = DispatchTime.now().uptimeNanoseconds
        kept.timestampMicroseconds = max(Int64((now - startedAt) / 1_000), lastTimestamp + 1)
        try output(kept)
        lastTimestamp = kept.timestampMicroseconds
        lastWrite = now
    }

    private func repeatWhileIdle() {
        let step = UInt64(interval * 1e9)
        condition.lock()
        defer { condition.unlock() }
        while !stopped {
            let now = DispatchTime.now().uptimeNanoseconds
            let due = lastWrite + step
            guard hasFrame, failure == nil, now >= due else {
                let wait = hasFrame && failure == nil ? Double(due - now) / 1e9 : interval
                _ = condition.wait(until: Date(timeIntervalSinceNow: wait))
                continue
            }
            do throws(MediaError) {
                try send()
                repeatCount += 1
                // Hold the cadence: the next repeat is one interval after this one was due, unless
                // the thread fell more than an interval behind (then from now).
                if now - due < step { lastWrite = due }
            } catch {
                failure = error
            }
        }
    }
}

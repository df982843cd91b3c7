import BackdropCore
import BackdropMedia
import BackdropPipeline
import Foundation
import Logging
import Synchronization

/// Makes the page's preview: on its own thread, takes the newest frame of each watched view from the
/// pipeline's `PreviewTap`, scales it to the preview width, encodes it as JPEG and hands it to that
/// view's viewers. Nothing is copied or encoded while nobody watches; the tap copies at most 15
/// frames a second per view; each viewer holds only the newest JPEG, so a slow one skips frames and
/// neither the encoder nor the pipeline ever waits for it.
final class PreviewStreamer: Sendable {
    private let tap: PreviewTap
    private let viewers: [PreviewView: EventBroadcaster<[UInt8]>]
    private let maxWidth: Int
    private let quality: Int
    private let logger: Logger?
    private let stopped = Atomic<Bool>(false)
    private let finished = DispatchSemaphore(value: 0)
    private let started = Atomic<Bool>(false)
    /// Frames encoded so far, per view (for tests and the state).
    private let encoded = Mutex([PreviewView: Int]())

    init(tap: PreviewTap, maxWidth: Int, quality: Int, logger: Logger?) {
        self.tap = tap
        self.maxWidth = maxWidth
        self.quality = quality
        self.logger = logger
        var viewers: [PreviewView: EventBroadcaster<[UInt8]>] = [:]
        for view in PreviewView.allCases { viewers[view] = EventBroadcaster(bufferingNewest: 1) }
        self.viewers = viewers
    }

    /// The JPEG frames of `view` from now on; watching lasts while the stream is read.
    func watch(_ view: PreviewView) -> AsyncStream<[UInt8]> {
        tap.watch(view)
        return viewers[view]!.subscribe { [tap] in tap.unwatch(view) }
    }

    func framesEncoded(_ view: PreviewView) -> Int { encoded.withLock { $0[view, default: 0] } }

    func start() {
        guard !started.exchange(true, ordering: .relaxed) else { return }
        let thread = Thread { [self] in
            CurrentThread.setName("studio.preview")
            CurrentThread.lowerPriority()  // preview encoding yields to the frame path
            encodeUntilStopped()
            finished.signal()
        }
        thread.start()
    }

    /// Ends every viewer's stream and the thread (waits for it).
    func stop() {
        guard started.load(ordering: .relaxed), !stopped.exchange(true, ordering: .relaxed) else { return }
        for broadcaster in viewers.values { broadcaster.finishAll() }
        finished.wait()
    }

    private func encodeUntilStopped() {
        // One encoder per view: each keeps its codec and scaler for its own sizes, so watching the
        // output and the mask at once never rebuilds them at every switch.
        var encoders: [PreviewView: PreviewEncoder] = [:]
        do {
            for view in PreviewView.allCases { encoders[view] = try PreviewEncoder(maxWidth: maxWidth, quality: quality) }
        } catch {
            logger?.error("the preview is unavailable: \(error)")
            return
        }
        var image = PixelImage(width: 0, height: 0, format: .rgba)
        var mask = ConfidenceMask()
        var seen: [PreviewView: Int] = [:]
        while !stopped.load(ordering: .relaxed) {
            _ = tap.waitForFrame(timeout: 0.2)
            for view in PreviewView.allCases where viewers[view]!.subscriberCount > 0 {
                let last = seen[view, default: 0]
                let generation = view == .mask
                    ? tap.take(mask: &mask, newerThan: last)
                    : tap.take(view, into: &image, newerThan: last)
                guard let generation else { continue }
                seen[view] = generation
                do {
                    let encoder = encoders[view]!
                    let jpeg = view == .mask ? try encoder.encode(mask) : try encoder.encode(image)
                    viewers[view]!.yield(jpeg)
                    encoded.withLock { $0[view, default: 0] += 1 }
                } catch {
                    logger?.warning("a preview frame could not be encoded: \(error)")
                }
            }
        }
    }
}

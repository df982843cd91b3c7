import BackdropCore
import Dispatch
import Synchronization

/// Which picture a preview shows.
public enum PreviewView: String, Sendable, CaseIterable, Codable {
    /// The frame after the effect (what the sinks get).
    case output
    /// The frame as the source delivered it, before the effect.
    case input
    /// The person mask the effect used (refined and smoothed), 0...1.
    case mask
}

/// The newest frames for a preview (a page, a window), copied from the effect stage only while
/// someone watches and at most `maxRate` times a second per view, so a pipeline nobody watches pays
/// one atomic load per frame and a watched one a copy every few frames.
///
/// Ownership: the effect stage copies into the tap's buffer for a view (under a lock, into storage
/// reused from frame to frame: no allocation once sized); a reader swaps that buffer for its own
/// (`take`), so neither copies the other's and the effect stage never waits on an encoder. Frames a
/// reader is too slow to take are overwritten by newer ones: a slow viewer misses frames, the
/// pipeline never waits.
public final class PreviewTap: Sendable {
    /// Copies per second per view at most.
    public let maxRate: Double
    private let minimumIntervalNanoseconds: UInt64

    private struct Buffers {
        var input = PixelImage(width: 0, height: 0, format: .rgba)
        var output = PixelImage(width: 0, height: 0, format: .rgba)
        var mask = ConfidenceMask()
        /// Bumped with each copy, per view (indexed by `PreviewView.slot`), so a reader knows a frame is new.
        var generations = [0, 0, 0]
    }

    private let buffers = Mutex(Buffers())
    private let inputWatchers = Atomic<Int>(0)
    private let outputWatchers = Atomic<Int>(0)
    private let maskWatchers = Atomic<Int>(0)
    // Written by the effect stage only; atomics so the class is Sendable without a lock per frame.
    private let lastInputCopy = Atomic<UInt64>(0)
    private let lastOutputCopy = Atomic<UInt64>(0)
    private let lastMaskCopy = Atomic<UInt64>(0)
    /// Signalled after every copy; readers wait on it (`waitForFrame`).
    private let copied = DispatchSemaphore(value: 0)

    /// - Parameter maxRate: copies per second per view at most (15 by default: a preview, not a recording).
    public init(maxRate: Double = 15) {
        precondition(maxRate > 0, "a preview's rate must be positive")
        self.maxRate = maxRate
        minimumIntervalNanoseconds = UInt64(1e9 / maxRate)
    }

    // MARK: Readers

    /// Someone watches `view` from now until `unwatch(view)`: the effect stage starts copying it.
    public func watch(_ view: PreviewView) { withWatchers(of: view) { _ = $0.add(1, ordering: .relaxed) } }

    /// Ends one `watch(view)`.
    public func unwatch(_ view: PreviewView) { withWatchers(of: view) { _ = $0.subtract(1, ordering: .relaxed) } }

    /// How many watch `view` now.
    public func watcherCount(_ view: PreviewView) -> Int { withWatchers(of: view) { $0.load(ordering: .relaxed) } }

    /// Waits up to `timeout` seconds for the effect stage's next copy of any view; false on timeout.
    public func waitForFrame(timeout seconds: Double) -> Bool {
        copied.wait(timeout: .now() + seconds) == .success
    }

    /// The generation of `view`'s newest copy (0: none yet).
    public func generation(of view: PreviewView) -> Int { buffers.withLock { $0.generations[view.slot] } }

    /// Swaps `view`'s newest image into `image` (the tap keeps `image`'s old storage for its next copy)
    /// when it is newer than `generation`; returns its generation, or nil when there is nothing newer.
    /// For `.mask` use `take(mask:newerThan:)`.
    public func take(_ view: PreviewView, into image: inout PixelImage, newerThan generation: Int) -> Int? {
        precondition(view != .mask, "the mask view is a ConfidenceMask: take(mask:newerThan:)")
        return buffers.withLock { buffers in
            let current = buffers.generations[view.slot]
            guard current > generation else { return nil }
            if view == .input { swap(&buffers.input, &image) } else { swap(&buffers.output, &image) }
            return current
        }
    }

    /// `take` for the mask view.
    public func take(mask: inout ConfidenceMask, newerThan generation: Int) -> Int? {
        buffers.withLock { buffers in
            let current = buffers.generations[PreviewView.mask.slot]
            guard current > generation else { return nil }
            swap(&buffers.mask, &mask)
            return current
        }
    }

    // MARK: The effect stage

    /// Whether the mask view is watched (the effect stage then computes the full-size mask).
    var wantsMask: Bool { maskWatchers.load(ordering: .relaxed) > 0 }

    /// The frame before the effect draws on it.
    func offer(input image: borrowing PixelImage, now: UInt64) {
        guard isDue(inputWatchers, lastInputCopy, now: now) else { return }
        buffers.withLock { buffers in
            buffers.input.overwrite(with: image)
            buffers.generations[PreviewView.input.slot] += 1
        }
        copied.signal()
    }

    /// The frame after the effect, and the mask it used (`maskIsFresh`: computed for this frame).
    func offer(output image: borrowing PixelImage, mask: borrowing ConfidenceMask, maskIsFresh: Bool, now: UInt64) {
        let outputDue = isDue(outputWatchers, lastOutputCopy, now: now)
        let maskDue = maskIsFresh && !mask.values.isEmpty && isDue(maskWatchers, lastMaskCopy, now: now)
        guard outputDue || maskDue else { return }
        buffers.withLock { buffers in
            if outputDue {
                buffers.output.overwrite(with: image)
                buffers.generations[PreviewView.output.slot] += 1
            }
            if maskDue {
                buffers.mask.overwrite(with: mask)
                buffers.generations[PreviewView.mask.slot] += 1
            }
        }
        copied.signal()
    }

    private func isDue(_ watchers: borrowing Atomic<Int>, _ lastCopy: borrowing Atomic<UInt64>, now: UInt64) -> Bool {
        guard watchers.load(ordering: .relaxed) > 0 else { return false }
        let last = lastCopy.load(ordering: .relaxed)
        guard last == 0 || now &- last >= minimumIntervalNanoseconds else { return false }
        lastCopy.store(now, ordering: .relaxed)
        return true
    }

    private func withWatchers<Result>(of view: PreviewView, _ body: (borrowing Atomic<Int>) -> Result) -> Result {
        switch view {
        case .input: body(inputWatchers)
        case .output: body(outputWatchers)
        case .mask: body(maskWatchers)
        }
    }
}

extension PreviewView {
    /// Index into per-view arrays.
    var slot: Int {
        switch self {
        case .output: 0
        case .input: 1
        case .mask: 2
        }
    }
}

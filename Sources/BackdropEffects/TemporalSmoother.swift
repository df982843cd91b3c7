import BackdropCore

/// Smooths a confidence mask over time so its edges stop flickering, without leaving a trail
/// behind a person who moves.
///
/// Each pixel keeps an exponential moving average whose weight for the new mask depends on how
/// much that pixel changed: `weight = clamp(|new - previous| / motionThreshold, steadyWeight, 1)`.
/// The segmenter's frame-to-frame jitter is small (a few hundredths at the edges), so it is
/// averaged over several frames; a real movement changes pixels by most of the 0...1 range, so
/// they take the new value at once and nothing lags behind.
///
/// The state is one plane of the mask's size, allocated on the first mask (and when the size
/// changes); later calls allocate nothing.
public final class TemporalSmoother {
    /// The new mask's weight where nothing moved, 0...1: lower smooths more.
    public var steadyWeight: Float
    /// A per-pixel change at least this large is taken in full at once; smaller changes get a
    /// proportionally smaller weight (never below `steadyWeight`).
    public var motionThreshold: Float

    private let state = ScratchBuffer<Float>()
    private var stateWidth = 0, stateHeight = 0
    private var primed = false

    public init(steadyWeight: Float = 0.2, motionThreshold: Float = 0.3) {
        precondition(steadyWeight > 0 && steadyWeight <= 1 && motionThreshold > 0, "weights out of range")
        self.steadyWeight = steadyWeight
        self.motionThreshold = motionThreshold
    }

    /// Forgets the history (say after a scene cut or a camera switch): the next mask passes unchanged.
    public func reset() { primed = false }

    /// Replaces `mask` with its smoothed value and remembers it for the next frame.
    public func smooth(_ mask: inout ConfidenceMask) {
        let width = mask.width, height = mask.height
        mask.values.withUnsafeMutableBufferPointer { values in
            step(values.baseAddress!, into: values.baseAddress!, width: width, height: height)
        }
    }

    /// Writes the smoothed value of `mask` into `output` (resized to match) and remembers it.
    public func smooth(_ mask: ConfidenceMask, into output: inout ConfidenceMask) {
        output.reshape(width: mask.width, height: mask.height)
        let width = mask.width, height = mask.height
        mask.values.withUnsafeBufferPointer { values in
            output.values.withUnsafeMutableBufferPointer { out in
                step(values.baseAddress!, into: out.baseAddress!, width: width, height: height)
            }
        }
    }

    /// Base address of the smoother's state, for tests and diagnostics that check it is reused.
    public var storageAddress: UnsafeRawPointer { state.address }

    private func step(_ source: UnsafePointer<Float>, into destination: UnsafeMutablePointer<Float>, width: Int, height: Int) {
        let count = width * height
        guard count > 0 else { return }
        if !primed || width != stateWidth || height != stateHeight {
            state.reserve(count)
            state.pointer.update(from: source, count: count)
            if UnsafePointer(destination) != source { destination.update(from: source, count: count) }
            stateWidth = width; stateHeight = height; primed = true
            return
        }
        let previous = state.pointer
        let floor = steadyWeight, gain = 1 / motionThreshold
        for i in 0..<count {
            let old = previous[i], new = source[i]
            let change = new - old
            let weight = min(max(abs(change) * gain, floor), 1)
            let value = old + change * weight
            previous[i] = value
            destination[i] = value
        }
    }
}

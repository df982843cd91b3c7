/// How a confidence mask becomes the blend weight of the person when compositing.
///
/// The segmenter's confidence is not an alpha matte: inside the person it hovers around 0.9-1
/// and outside around 0-0.1, so a straight `mask` blend lets a little background through the
/// face and a little face into the background. The curve maps confidence at or below `low` to
/// fully background, at or above `high` to fully person, and eases between them (smoothstep), which
/// keeps the soft edge the mask has while making both interiors solid.
public struct MatteCurve: Sendable, Equatable {
    public var low: Float
    public var high: Float
    /// Ease between `low` and `high` with smoothstep (true) or a straight ramp (false).
    public var eased: Bool

    public init(low: Float, high: Float, eased: Bool = true) {
        precondition(low < high, "a matte curve needs low < high")
        self.low = low
        self.high = high
        self.eased = eased
    }

    /// Confidence below 0.1 is background, above 0.9 person.
    public static let standard = MatteCurve(low: 0.1, high: 0.9)
    /// The weight is the confidence itself (no easing at all).
    public static let linear = MatteCurve(low: 0, high: 1, eased: false)

    /// The person's weight for a confidence value, 0...1.
    public func weight(_ confidence: Float) -> Float {
        let t = min(max((confidence - low) / (high - low), 0), 1)
        return eased ? t * t * (3 - 2 * t) : t
    }
}

/// A `MatteCurve` sampled into integer blend weights so compositing is integer math per pixel.
///
/// Weights are 0...256, so `(person * w + other * (256 - w) + 128) >> 8` returns the person's
/// pixel exactly at 256 and the other pixel exactly at 0.
final class MatteTable {
    static let steps = 1024
    private let table = ScratchBuffer<Int32>(count: MatteTable.steps + 1)
    private(set) var curve: MatteCurve

    init(_ curve: MatteCurve) {
        self.curve = curve
        fill()
    }

    func update(_ curve: MatteCurve) {
        guard curve != self.curve else { return }
        self.curve = curve
        fill()
    }

    private func fill() {
        for index in 0...Self.steps {
            table.pointer[index] = Int32((curve.weight(Float(index) / Float(Self.steps)) * 256).rounded())
        }
    }

    /// The weight for one confidence value; NaN and out-of-range values clamp to 0...1.
    @inline(__always)
    func weight(_ confidence: Float) -> Int32 {
        let clamped = confidence > 0 ? (confidence < 1 ? confidence : 1) : 0
        return table.pointer[Int(clamped * Float(Self.steps) + 0.5)]
    }
}

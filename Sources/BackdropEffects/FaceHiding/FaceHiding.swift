/// How faces are hidden: the settings value a pipeline carries (nil there: faces are shown).
///
/// Each face the landmarker finds (up to ``faceLimit``) is blurred or pixelated inside its box
/// grown by ``margin``; a face the landmarker stops finding stays hidden where it was last seen for
/// ``holdFrames`` frames, so a missed frame or two never shows it. With ``keepMain`` the main face
/// (the largest; of equal ones, the most central; kept while it is tracked) is left untouched.
public struct FaceHiding: Sendable, Equatable {
    public enum Style: String, Sendable, CaseIterable {
        /// A strong blur (three box passes, a box of a quarter of the face's width): smooth, no features left.
        case blur
        /// Blocks of an eighth of the face's width, each its mean colour.
        case pixelate
    }

    public var style: Style
    /// Leave the main face untouched (a presenter among bystanders).
    public var keepMain: Bool
    /// Frames a face's box stays hidden after the landmarker last found it: covers missed frames,
    /// at the price of a box left behind that long where a face was (it follows the face again as
    /// soon as the face is found).
    public var holdFrames: Int
    /// How much each box grows on every side, as a fraction of its width and height: hair, ears
    /// and a face that moves while it is missed stay covered.
    public var margin: Double

    /// The most faces hidden at once (the face landmarker is asked for this many when hiding is on).
    public static let faceLimit = 8
    /// Half a second at 30 fps.
    public static let defaultHoldFrames = 15
    public static let holdFramesRange = 0...300
    public static let defaultMargin = 0.25
    public static let marginRange = 0.0...1.0

    public init(style: Style = .blur, keepMain: Bool = false, holdFrames: Int = FaceHiding.defaultHoldFrames,
                margin: Double = FaceHiding.defaultMargin) {
        self.style = style
        self.keepMain = keepMain
        self.holdFrames = holdFrames
        self.margin = margin
    }

    /// Why these settings can't be used, or nil when they can.
    public var problem: String? {
        if !Self.holdFramesRange.contains(holdFrames) {
            return "hold of \(holdFrames) frames is out of range: use \(Self.holdFramesRange.lowerBound)...\(Self.holdFramesRange.upperBound)"
        }
        if !Self.marginRange.contains(margin) {
            return "margin \(margin) is out of range: use \(Self.marginRange.lowerBound)...\(Self.marginRange.upperBound) of the face's size"
        }
        return nil
    }
}

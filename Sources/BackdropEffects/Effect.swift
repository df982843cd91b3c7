import BackdropCore

/// What to do to each frame: the user's choice, as a value. ``makeFrameEffect()`` builds the
/// ``FrameEffect`` object that draws it; ``custom(_:)`` carries an app's own effect.
public enum Effect: Sendable, Equatable {
    /// Leave frames as they are.
    case none
    /// Blur the background; `strength` is how far the blur reaches in pixels (see ``BackgroundBlur``).
    case blur(strength: Int)
    /// Replace the background with an image, scaled to cover the frame.
    case replace(PixelImage)
    /// Replace the background with a solid colour.
    case color(red: UInt8, green: UInt8, blue: UInt8)
    /// Replace the background with pure green (0, 255, 0) for keying downstream.
    case greenScreen
    /// Tint what the segmenter found (see ``MaskOverlay``).
    case maskOverlay
    /// Draw the face landmarks.
    case landmarks(LandmarkOverlay.Style)
    /// An effect of the app's own. Two custom effects are equal when they are the same object.
    case custom(any FrameEffect)

    /// How far the blur reaches by default, in pixels: the library's and the CLI's default.
    public static let defaultBlurStrength = 16
    /// The default effect: background blur at ``defaultBlurStrength``.
    public static let `default` = Effect.blur(strength: defaultBlurStrength)

    /// Whether the effect reads the person mask (the landmark overlay and `none` do not).
    public var usesMask: Bool {
        switch self {
        case .none, .landmarks: false
        case .blur, .replace, .color, .greenScreen, .maskOverlay: true
        case .custom(let effect): effect.usesMask
        }
    }

    /// Whether the effect reads face landmarks.
    public var usesFaces: Bool {
        switch self {
        case .landmarks: true
        case .custom(let effect): effect.usesFaces
        default: false
        }
    }

    /// A new object that draws this effect (a custom effect is its own object). Allocates: call it
    /// off the frame path.
    public func makeFrameEffect() -> any FrameEffect {
        switch self {
        case .none: NoEffect()
        case .blur(let strength): BackgroundBlur(strength: strength)
        case .replace(let image): BackgroundReplacement(image: image)
        case .color(let red, let green, let blue): BackgroundReplacement(red: red, green: green, blue: blue)
        case .greenScreen: BackgroundReplacement.greenScreen()
        case .maskOverlay: MaskOverlayEffect()
        case .landmarks(let style): LandmarkEffect(style: style)
        case .custom(let effect): effect
        }
    }

    public static func == (left: Effect, right: Effect) -> Bool {
        switch (left, right) {
        case (.none, .none), (.greenScreen, .greenScreen), (.maskOverlay, .maskOverlay): true
        case let (.blur(a), .blur(b)): a == b
        case let (.replace(a), .replace(b)): a == b
        case let (.color(r1, g1, b1), .color(r2, g2, b2)): r1 == r2 && g1 == g2 && b1 == b2
        case let (.landmarks(a), .landmarks(b)): a == b
        case let (.custom(a), .custom(b)): a === b
        default: false
        }
    }
}

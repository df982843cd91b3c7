import BackdropCore

/// What to do to each frame: the user's choice, as a value the renderer is configured from.
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

    /// Whether the effect reads the person mask (the landmark overlay and `none` do not).
    public var usesMask: Bool {
        switch self {
        case .none, .landmarks: false
        case .blur, .replace, .color, .greenScreen, .maskOverlay: true
        }
    }
}

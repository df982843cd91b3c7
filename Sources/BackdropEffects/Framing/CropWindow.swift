/// The part of a frame that is shown: its centre in frame pixels and how much it is magnified
/// (1: the whole frame; 2: half the width and half the height). Its aspect is always the frame's.
public struct CropWindow: Sendable, Equatable {
    public var centreX: Double
    public var centreY: Double
    public var zoom: Double

    public init(centreX: Double, centreY: Double, zoom: Double) {
        self.centreX = centreX
        self.centreY = centreY
        self.zoom = zoom
    }

    /// The whole `width` x `height` frame.
    public static func fullFrame(width: Int, height: Int) -> CropWindow {
        CropWindow(centreX: Double(width) / 2, centreY: Double(height) / 2, zoom: 1)
    }

    /// The window's left and top edges, in frame pixels, for a `width` x `height` frame.
    public func origin(width: Int, height: Int) -> (left: Double, top: Double) {
        (centreX - Double(width) / (2 * zoom), centreY - Double(height) / (2 * zoom))
    }

    /// Where frame point (`x`, `y`) appears in the output (the window brought to the frame's size).
    public func outputPoint(x: Double, y: Double, width: Int, height: Int) -> (x: Double, y: Double) {
        let (left, top) = origin(width: width, height: height)
        return ((x - left) * zoom, (y - top) * zoom)
    }

    /// This window moved (never resized beyond the frame) to lie inside a `width` x `height`
    /// frame: a face near the edge is framed as well as the frame allows.
    public func clamped(width: Int, height: Int) -> CropWindow {
        let zoom = max(1, zoom)
        let halfWidth = Double(width) / (2 * zoom), halfHeight = Double(height) / (2 * zoom)
        return CropWindow(centreX: min(max(centreX, halfWidth), Double(width) - halfWidth),
                          centreY: min(max(centreY, halfHeight), Double(height) - halfHeight), zoom: zoom)
    }
}

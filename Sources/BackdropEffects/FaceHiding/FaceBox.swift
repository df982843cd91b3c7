import BackdropMediaPipe

/// A face's box in pixels of the frame (right and bottom exclusive), from the landmarker's
/// landmarks or the detector's box.
public struct FaceBox: Sendable, Equatable {
    public var left: Double
    public var top: Double
    public var right: Double
    public var bottom: Double

    public init(left: Double, top: Double, right: Double, bottom: Double) {
        self.left = left; self.top = top; self.right = right; self.bottom = bottom
    }

    /// The box around a face's landmarks (normalized to the image the landmarker was given, which
    /// is the whole frame at some size) in a `frameWidth` x `frameHeight` frame; nil without landmarks.
    public init?(landmarksOf face: DetectedFace, frameWidth: Int, frameHeight: Int) {
        guard !face.landmarks.isEmpty else { return nil }
        var minX = Float.infinity, maxX = -Float.infinity, minY = Float.infinity, maxY = -Float.infinity
        face.landmarks.withUnsafeBufferPointer { points in  // a plain loop: no iterator, nothing to allocate even unoptimized
            for index in 0..<points.count {
                let x = points[index].x, y = points[index].y
                if x < minX { minX = x }
                if x > maxX { maxX = x }
                if y < minY { minY = y }
                if y > maxY { maxY = y }
            }
        }
        self.init(left: Double(minX) * Double(frameWidth), top: Double(minY) * Double(frameHeight),
                  right: Double(maxX) * Double(frameWidth), bottom: Double(maxY) * Double(frameHeight))
    }

    /// The detector's box (pixels of the `imageWidth` x `imageHeight` image it was given) in a
    /// `frameWidth` x `frameHeight` frame.
    public init(_ detection: FaceDetection, imageWidth: Int, imageHeight: Int, frameWidth: Int, frameHeight: Int) {
        let sx = Double(frameWidth) / Double(imageWidth), sy = Double(frameHeight) / Double(imageHeight)
        self.init(left: Double(detection.left) * sx, top: Double(detection.top) * sy,
                  right: Double(detection.right) * sx, bottom: Double(detection.bottom) * sy)
    }

    public var width: Double { max(0, right - left) }
    public var height: Double { max(0, bottom - top) }
    public var area: Double { width * height }
    public var centerX: Double { (left + right) / 2 }
    public var centerY: Double { (top + bottom) / 2 }

    /// Intersection over union: 0 for disjoint boxes, 1 for equal ones.
    public func overlap(with other: FaceBox) -> Double {
        let w = max(0, min(right, other.right) - max(left, other.left))
        let h = max(0, min(bottom, other.bottom) - max(top, other.top))
        let intersection = w * h
        let union = area + other.area - intersection
        return union > 0 ? intersection / union : 0
    }

    public func contains(x: Double, y: Double) -> Bool { x >= left && x < right && y >= top && y < bottom }

    /// Grown by `margin` of its width and height on each side, rounded outwards to whole pixels and
    /// clipped to a `width` x `height` frame (possibly empty).
    func pixelRect(margin: Double, width: Int, height: Int) -> (left: Int, top: Int, right: Int, bottom: Int) {
        let dx = self.width * margin, dy = self.height * margin
        let l = max(0, min(width, Int((left - dx).rounded(.down))))
        let t = max(0, min(height, Int((top - dy).rounded(.down))))
        let r = max(l, min(width, Int((right + dx).rounded(.up))))
        let b = max(t, min(height, Int((bottom + dy).rounded(.up))))
        return (l, t, r, b)
    }
}

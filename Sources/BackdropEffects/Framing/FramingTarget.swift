import BackdropMediaPipe

/// Where the crop should be for the faces of one frame: the box around every face's landmarks,
/// sized so the box fills ``Framing/tightness`` of the output's height (within the maximum zoom,
/// and never so close that a face is cut), the box's centre at the middle of the output's width
/// and ``faceCentreHeight`` of its height (room above the head, not below the chin).
public enum FramingTarget {
    /// How far down the output the faces' centre sits, as a share of its height.
    public static let faceCentreHeight = 0.4
    /// The share of the output's width and height the faces' box may fill at most (a margin each side).
    static let widestFill = 0.8

    /// The faces' box in normalised coordinates (0...1 of the image's width and height), or nil
    /// with no face.
    public static func faceBox(_ faces: FaceLandmarkerResult) -> (minX: Double, minY: Double, maxX: Double, maxY: Double)? {
        var minX = Float.infinity, minY = Float.infinity, maxX = -Float.infinity, maxY = -Float.infinity
        // Through buffer pointers and plain comparisons: a debug build's iterators and generic min/max allocate.
        for index in faces.faces.indices {
            faces.faces[index].landmarks.withUnsafeBufferPointer { points in
                for point in points {
                    if point.x < minX { minX = point.x }
                    if point.x > maxX { maxX = point.x }
                    if point.y < minY { minY = point.y }
                    if point.y > maxY { maxY = point.y }
                }
            }
        }
        guard minX <= maxX, minY <= maxY else { return nil }
        return (Double(minX), Double(minY), Double(maxX), Double(maxY))
    }

    /// The window for `faces` in a `width` x `height` frame, or nil with no face.
    public static func window(for faces: FaceLandmarkerResult, framing: Framing, width: Int, height: Int) -> CropWindow? {
        guard let box = faceBox(faces) else { return nil }
        let frameWidth = Double(width), frameHeight = Double(height)
        let boxWidth = (box.maxX - box.minX) * frameWidth, boxHeight = (box.maxY - box.minY) * frameHeight
        // The zoom at which the box fills `tightness` of the height, then no closer than keeps it whole with a margin.
        var zoom = boxHeight > 0 ? framing.tightness * frameHeight / boxHeight : framing.maximumZoom
        zoom = min(zoom, widestFill * frameHeight / max(boxHeight, 1), widestFill * frameWidth / max(boxWidth, 1))
        zoom = min(max(zoom, 1), framing.maximumZoom)
        let cropHeight = frameHeight / zoom
        let centreX = (box.minX + box.maxX) / 2 * frameWidth
        let centreY = (box.minY + box.maxY) / 2 * frameHeight + (0.5 - faceCentreHeight) * cropHeight
        return CropWindow(centreX: centreX, centreY: centreY, zoom: zoom).clamped(width: width, height: height)
    }
}

import BackdropCore
import BackdropMediaPipe

/// Draws face landmarks on a frame, in place: as dots, as MediaPipe's face mesh, or as the face's
/// contours (lips, eyes, eyebrows, oval).
public enum LandmarkOverlay {
    public enum Style: Sendable, Equatable {
        /// A small filled dot per landmark.
        case points
        /// The tessellation's 2556 edges, one pixel wide.
        case mesh
        /// The contour lines only.
        case contours
    }

    public static func draw(_ faces: FaceLandmarkerResult, on image: inout PixelImage, style: Style = .points,
                            color: (UInt8, UInt8, UInt8) = (255, 40, 40), radius: Int = 1) {
        precondition(image.format != .gray, "landmark overlay needs a colour image")
        switch style {
        case .points: drawPoints(faces, on: &image, color: color, radius: radius)
        case .mesh: drawLines(faces, connections: FaceMeshConnections.tessellation, on: &image, color: color)
        case .contours: drawLines(faces, connections: FaceMeshConnections.contours, on: &image, color: color)
        }
    }

    private static func drawPoints(_ faces: FaceLandmarkerResult, on image: inout PixelImage,
                                   color: (UInt8, UInt8, UInt8), radius: Int) {
        let channels = image.format.bytesPerPixel
        let width = image.width, height = image.height
        image.pixels.withUnsafeMutableBufferPointer { pixels in
            for face in faces.faces {
                for point in face.landmarks {
                    let cx = Int((point.x * Float(width)).rounded(.down))
                    let cy = Int((point.y * Float(height)).rounded(.down))
                    for y in (cy - radius)...(cy + radius) where y >= 0 && y < height {
                        for x in (cx - radius)...(cx + radius) where x >= 0 && x < width {
                            guard (x - cx) * (x - cx) + (y - cy) * (y - cy) <= radius * radius else { continue }
                            let base = (y * width + x) * channels
                            pixels[base] = color.0
                            pixels[base + 1] = color.1
                            pixels[base + 2] = color.2
                        }
                    }
                }
            }
        }
    }

    /// Joins landmark pairs with Bresenham lines; pixels off the image are skipped.
    private static func drawLines(_ faces: FaceLandmarkerResult, connections: [UInt16], on image: inout PixelImage,
                                  color: (UInt8, UInt8, UInt8)) {
        let channels = image.format.bytesPerPixel
        let width = image.width, height = image.height
        // Landmarks may lie a little outside 0...1; clamping far-off ones bounds the work per line.
        func pixel(_ value: Float, _ size: Int) -> Int {
            Int((min(max(value, -1), 2) * Float(size)).rounded(.down))
        }
        image.pixels.withUnsafeMutableBufferPointer { pixels in
            for face in faces.faces {
                let landmarks = face.landmarks
                var index = 0
                while index + 1 < connections.count {
                    let from = Int(connections[index]), to = Int(connections[index + 1])
                    index += 2
                    guard from < landmarks.count, to < landmarks.count else { continue }
                    var x0 = pixel(landmarks[from].x, width), y0 = pixel(landmarks[from].y, height)
                    let x1 = pixel(landmarks[to].x, width), y1 = pixel(landmarks[to].y, height)
                    let dx = abs(x1 - x0), dy = -abs(y1 - y0)
                    let sx = x0 < x1 ? 1 : -1, sy = y0 < y1 ? 1 : -1
                    var error = dx + dy
                    while true {
                        if x0 >= 0 && x0 < width && y0 >= 0 && y0 < height {
                            let base = (y0 * width + x0) * channels
                            pixels[base] = color.0
                            pixels[base + 1] = color.1
                            pixels[base + 2] = color.2
                        }
                        if x0 == x1 && y0 == y1 { break }
                        let doubled = 2 * error
                        if doubled >= dy { error += dy; x0 += sx }
                        if doubled <= dx { error += dx; y0 += sy }
                    }
                }
            }
        }
    }
}

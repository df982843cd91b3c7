import BackdropCore
import BackdropMediaPipe

/// Draws face landmarks as small filled dots, in place.
public enum LandmarkOverlay {
    public static func draw(_ faces: FaceLandmarkerResult, on image: inout PixelImage,
                            color: (UInt8, UInt8, UInt8) = (255, 40, 40), radius: Int = 1) {
        precondition(image.format != .gray, "landmark overlay needs a colour image")
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
}

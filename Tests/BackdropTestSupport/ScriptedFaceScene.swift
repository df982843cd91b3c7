import BackdropCore
import Foundation

/// A clip built at run time with a real face on a known path: a head cut out of a photo (soft
/// edged), scaled, and moved over a textured background along scripted keyframes, so a test knows
/// exactly where the face is in every frame (its ground truth) while a real landmarker finds it.
public struct ScriptedFaceScene: Sendable {
    /// Where the face's centre is at a time, as a share of the frame's width and height (outside
    /// 0...1: off the frame). Between two keyframes it moves in a straight line; two keyframes at
    /// the same time are a jump.
    public struct Keyframe: Sendable {
        public var seconds: Double
        public var x: Double
        public var y: Double
        public init(seconds: Double, x: Double, y: Double) { self.seconds = seconds; self.x = x; self.y = y }
    }

    public let width: Int
    public let height: Int
    public let framesPerSecond: Double
    public let keyframes: [Keyframe]
    /// The head, RGB plus a soft alpha, already at its size in the scene.
    private let head: [UInt8]
    private let headWidth: Int
    private let headHeight: Int
    /// The face centre's position in the head image.
    private let faceInHead: (x: Double, y: Double)
    private let background: PixelImage

    /// `photo`'s face, whose landmark box is `faceBox` (normalised to the photo), drawn so the box
    /// is `faceHeight` pixels tall in a `width` x `height` scene.
    public init(photo: PixelImage, faceBox: (minX: Double, minY: Double, maxX: Double, maxY: Double), faceHeight: Double,
                width: Int, height: Int, framesPerSecond: Double, keyframes: [Keyframe]) {
        self.width = width
        self.height = height
        self.framesPerSecond = framesPerSecond
        self.keyframes = keyframes
        let scale = faceHeight / ((faceBox.maxY - faceBox.minY) * Double(photo.height))
        let centreX = (faceBox.minX + faceBox.maxX) / 2 * Double(photo.width), centreY = (faceBox.minY + faceBox.maxY) / 2 * Double(photo.height)
        // The cut-out: an ellipse 1.6 times the face box (hair, ears, chin), its outer fifth faded out.
        let radiusX = 0.8 * (faceBox.maxX - faceBox.minX) * Double(photo.width), radiusY = 0.8 * (faceBox.maxY - faceBox.minY) * Double(photo.height)
        headWidth = Int((2 * radiusX * scale).rounded(.up))
        headHeight = Int((2 * radiusY * scale).rounded(.up))
        faceInHead = (Double(headWidth) / 2, Double(headHeight) / 2)
        var head = [UInt8](repeating: 0, count: headWidth * headHeight * 4)
        let channels = photo.format.bytesPerPixel
        for y in 0..<headHeight {
            for x in 0..<headWidth {
                let dx = (Double(x) + 0.5 - faceInHead.x) / scale, dy = (Double(y) + 0.5 - faceInHead.y) / scale
                let distance = ((dx / radiusX) * (dx / radiusX) + (dy / radiusY) * (dy / radiusY)).squareRoot()
                let alpha = min(max((1 - distance) / 0.2, 0), 1)
                let sourceX = min(max(Int(centreX + dx), 0), photo.width - 1), sourceY = min(max(Int(centreY + dy), 0), photo.height - 1)
                for c in 0..<3 { head[(y * headWidth + x) * 4 + c] = photo.pixels[(sourceY * photo.width + sourceX) * channels + c] }
                head[(y * headWidth + x) * 4 + 3] = UInt8((alpha * 255).rounded())
            }
        }
        self.head = head
        // The background: soft colour bands and a fine weave, texture with nothing face-like in it.
        var background = PixelImage(width: width, height: height, format: .rgb)
        for y in 0..<height {
            for x in 0..<width {
                let weave = ((x / 6 + y / 6) % 2 == 0) ? 18 : 0
                let index = (y * width + x) * 3
                background.pixels[index] = UInt8(60 + (x * 90) / width + weave)
                background.pixels[index + 1] = UInt8(110 + Int(30 * sin(Double(y) / 23)) + weave)
                background.pixels[index + 2] = UInt8(90 + (y * 70) / height)
            }
        }
        self.background = background
    }

    public var duration: Double { keyframes.last?.seconds ?? 0 }
    public var frameCount: Int { Int((duration * framesPerSecond).rounded(.down)) + 1 }
    public func seconds(ofFrame index: Int) -> Double { Double(index) / framesPerSecond }
    public func timestampMicroseconds(ofFrame index: Int) -> Int64 { Int64((seconds(ofFrame: index) * 1_000_000).rounded()) }

    /// The face centre's scripted position at `seconds`, in frame pixels (off the frame once it has left).
    public func faceCentre(atSeconds seconds: Double) -> (x: Double, y: Double) {
        // The last keyframe at or before the time (a jump's second keyframe), and the one after it.
        let before = keyframes.lastIndex { $0.seconds <= seconds } ?? 0
        let from = keyframes[before], to = keyframes[min(before + 1, keyframes.count - 1)]
        let share = to.seconds > from.seconds ? min(max((seconds - from.seconds) / (to.seconds - from.seconds), 0), 1) : 0
        return ((from.x + (to.x - from.x) * share) * Double(width), (from.y + (to.y - from.y) * share) * Double(height))
    }

    /// Whether the whole face box is in the frame at `seconds`, with `margin` pixels to spare.
    public func faceIsInFrame(atSeconds seconds: Double, margin: Double) -> Bool {
        let centre = faceCentre(atSeconds: seconds)
        let halfWidth = Double(headWidth) / 2 + margin, halfHeight = Double(headHeight) / 2 + margin
        return centre.x - halfWidth >= 0 && centre.x + halfWidth <= Double(width)
            && centre.y - halfHeight >= 0 && centre.y + halfHeight <= Double(height)
    }

    /// Whether any of the head is in the frame at `seconds`.
    public func headIsVisible(atSeconds seconds: Double) -> Bool {
        let centre = faceCentre(atSeconds: seconds)
        return centre.x + Double(headWidth) / 2 > 0 && centre.x - Double(headWidth) / 2 < Double(width)
            && centre.y + Double(headHeight) / 2 > 0 && centre.y - Double(headHeight) / 2 < Double(height)
    }

    /// Frame `index`: the background with the head drawn at its scripted place.
    public func frame(_ index: Int) -> PixelImage {
        var image = background
        let centre = faceCentre(atSeconds: seconds(ofFrame: index))
        let left = Int((centre.x - faceInHead.x).rounded()), top = Int((centre.y - faceInHead.y).rounded())
        let rows = max(0, top)..<max(max(0, top), min(height, top + headHeight))
        let columns = max(0, left)..<max(max(0, left), min(width, left + headWidth))
        for y in rows {
            for x in columns {
                let source = ((y - top) * headWidth + (x - left)) * 4, target = (y * width + x) * 3
                let alpha = Int(head[source + 3])
                for c in 0..<3 {
                    image.pixels[target + c] = UInt8((Int(head[source + c]) * alpha + Int(image.pixels[target + c]) * (255 - alpha) + 127) / 255)
                }
            }
        }
        return image
    }
}

import Foundation

/// Scenes with several faces whose places are known exactly: heads cut from the astronaut photo
/// (.cache/astronaut.png, one face), soft-edged, scaled, mirrored or rotated, over a textured
/// background. The face-hiding tests and `backdrop-bench face-finding` draw them.
///
/// Works on interleaved 8-bit RGB bytes, so this target needs no other module: callers wrap the
/// bytes in their own image type.
public struct FaceCollage: Sendable {
    /// A box in pixels, right and bottom exclusive.
    public struct Box: Sendable, Equatable, CustomStringConvertible {
        public var left: Int, top: Int, right: Int, bottom: Int
        public init(left: Int, top: Int, right: Int, bottom: Int) {
            self.left = left; self.top = top; self.right = right; self.bottom = bottom
        }
        public var width: Int { right - left }
        public var height: Int { bottom - top }
        public var centerX: Double { Double(left + right) / 2 }
        public var centerY: Double { Double(top + bottom) / 2 }
        public func contains(x: Double, y: Double) -> Bool {
            x >= Double(left) && x < Double(right) && y >= Double(top) && y < Double(bottom)
        }
        public var description: String { "(\(left),\(top))-(\(right),\(bottom))" }
    }

    /// One head: where its face's centre goes, how wide the face is drawn, and how it is turned.
    public struct Head: Sendable, Equatable {
        public var centerX: Double
        public var centerY: Double
        /// The face's width in the scene, in pixels (the photo's face is ``photoFace``'s width).
        public var faceWidth: Double
        /// Clockwise, about the face's centre.
        public var rotationDegrees: Double
        public var mirrored: Bool

        public init(centerX: Double, centerY: Double, faceWidth: Double, rotationDegrees: Double = 0, mirrored: Bool = false) {
            self.centerX = centerX; self.centerY = centerY; self.faceWidth = faceWidth
            self.rotationDegrees = rotationDegrees; self.mirrored = mirrored
        }
    }

    /// The face in the 512x512 astronaut photo: the union of the face landmarker's landmark box
    /// (181,72)-(270,177) and the face detector's box (177,82)-(272,177) on it, rounded outwards.
    public static let photoFace = Box(left: 177, top: 72, right: 272, bottom: 178)
    /// The head is cut as a disc this many face widths in radius around the face's centre
    /// (hair, ears and chin in; the soft edge fades over the outer ``edgeFraction`` of it).
    public static let headRadiusInFaceWidths = 1.0
    public static let edgeFraction = 0.15

    public let photo: [UInt8]
    public let photoWidth: Int
    public let photoHeight: Int

    public init(photoRGB: [UInt8], width: Int, height: Int) {
        precondition(photoRGB.count == width * height * 3, "the photo must be interleaved RGB")
        photo = photoRGB; photoWidth = width; photoHeight = height
    }

    /// The background: smooth waves plus fine hashed grain, shifted by `frameIndex` so it moves
    /// (a blur or pixelation of it is visible, and no two frames are alike).
    public static func drawBackground(into pixels: inout [UInt8], width: Int, height: Int, frameIndex: Int) {
        precondition(pixels.count == width * height * 3)
        pixels.withUnsafeMutableBufferPointer { out in
            for y in 0..<height {
                for x in 0..<width {
                    let shifted = Double(x + 2 * frameIndex)
                    let wave = sin(shifted * 0.045) * cos(Double(y) * 0.06)
                    var hash = UInt32(truncatingIfNeeded: (x &* 73_856_093) ^ (y &* 19_349_663))
                    hash = (hash ^ (hash >> 13)) &* 0x5bd1_e995
                    let grain = Double(hash >> 24) / 255.0 - 0.5
                    let base = (y * width + x) * 3
                    out[base] = clampByte(110 + 70 * wave + 40 * grain)
                    out[base + 1] = clampByte(140 - 50 * wave + 40 * grain)
                    out[base + 2] = clampByte(90 + 60 * sin(Double(y) * 0.03 + shifted * 0.02) + 40 * grain)
                }
            }
        }
    }

    /// Draws `head` over what `pixels` holds and returns its face's box in the scene (the photo's
    /// face box turned with the head, clipped to the scene).
    @discardableResult
    public func draw(_ head: Head, into pixels: inout [UInt8], width: Int, height: Int) -> Box {
        let face = Self.photoFace
        let scale = head.faceWidth / Double(face.width)  // scene pixels per photo pixel
        let radius = Self.headRadiusInFaceWidths * head.faceWidth
        let angle = head.rotationDegrees * .pi / 180
        let cosine = cos(angle), sine = sin(angle)
        let left = max(0, Int((head.centerX - radius).rounded(.down))), right = min(width, Int((head.centerX + radius).rounded(.up)) + 1)
        let top = max(0, Int((head.centerY - radius).rounded(.down))), bottom = min(height, Int((head.centerY + radius).rounded(.up)) + 1)
        photo.withUnsafeBufferPointer { source in
            pixels.withUnsafeMutableBufferPointer { out in
                for y in top..<max(top, bottom) {
                    for x in left..<max(left, right) {
                        let dx = Double(x) + 0.5 - head.centerX, dy = Double(y) + 0.5 - head.centerY
                        let distance = (dx * dx + dy * dy).squareRoot()
                        let alpha = min(1, max(0, (radius - distance) / (Self.edgeFraction * radius)))
                        guard alpha > 0 else { continue }
                        // Undo the rotation, the mirroring and the scale: a point in the photo.
                        var u = (cosine * dx + sine * dy) / scale
                        let v = (-sine * dx + cosine * dy) / scale
                        if head.mirrored { u = -u }
                        let sample = bilinear(source, x: face.centerX + u - 0.5, y: face.centerY + v - 0.5)
                        let base = (y * width + x) * 3
                        for channel in 0..<3 {
                            let blended = alpha * sample[channel] + (1 - alpha) * Double(out[base + channel])
                            out[base + channel] = clampByte(blended)
                        }
                    }
                }
            }
        }
        return Self.faceBox(of: head, width: width, height: height)
    }

    /// Where `head`'s face lands in a `width` x `height` scene: the photo's face box turned with
    /// the head (the box of its turned corners), clipped to the scene.
    public static func faceBox(of head: Head, width: Int, height: Int) -> Box {
        let face = Self.photoFace
        let scale = head.faceWidth / Double(face.width)
        let angle = head.rotationDegrees * .pi / 180
        let halfWidth = Double(face.width) / 2 * scale, halfHeight = Double(face.height) / 2 * scale
        let extentX = abs(cos(angle)) * halfWidth + abs(sin(angle)) * halfHeight
        let extentY = abs(sin(angle)) * halfWidth + abs(cos(angle)) * halfHeight
        return Box(left: max(0, Int((head.centerX - extentX).rounded(.down))),
                   top: max(0, Int((head.centerY - extentY).rounded(.down))),
                   right: min(width, Int((head.centerX + extentX).rounded(.up))),
                   bottom: min(height, Int((head.centerY + extentY).rounded(.up))))
    }

    /// A whole scene: the background, then each head; returns the faces' boxes in `heads`' order.
    public func render(heads: [Head], width: Int, height: Int, frameIndex: Int) -> (pixels: [UInt8], faces: [Box]) {
        var pixels = [UInt8](repeating: 0, count: width * height * 3)
        Self.drawBackground(into: &pixels, width: width, height: height, frameIndex: frameIndex)
        let faces = heads.map { draw($0, into: &pixels, width: width, height: height) }
        return (pixels, faces)
    }

    /// Three upright heads, the first (the main face) clearly the largest and in the middle, the
    /// other two smaller on either side; all drift a few pixels a frame, back and forth.
    public static func threeHeads(frameIndex: Int, width: Int, height: Int) -> [Head] {
        let drift = 6 * sin(Double(frameIndex) * 0.3)
        let w = Double(width), h = Double(height)
        return [
            Head(centerX: w * 0.5 + drift, centerY: h * 0.45, faceWidth: w * 0.2),
            Head(centerX: w * 0.145 - drift, centerY: h * 0.55 + drift / 2, faceWidth: w * 0.125),
            Head(centerX: w * 0.855 + drift / 2, centerY: h * 0.5 - drift, faceWidth: w * 0.13, mirrored: true),
        ]
    }

    private func bilinear(_ source: UnsafeBufferPointer<UInt8>, x: Double, y: Double) -> SIMD3<Double> {
        let cx = min(max(x, 0), Double(photoWidth - 1)), cy = min(max(y, 0), Double(photoHeight - 1))
        let x0 = Int(cx), y0 = Int(cy)
        let x1 = min(x0 + 1, photoWidth - 1), y1 = min(y0 + 1, photoHeight - 1)
        let fx = cx - Double(x0), fy = cy - Double(y0)
        func at(_ px: Int, _ py: Int, _ c: Int) -> Double { Double(source[(py * photoWidth + px) * 3 + c]) }
        func channel(_ c: Int) -> Double {
            let top = at(x0, y0, c) * (1 - fx) + at(x1, y0, c) * fx
            let bottom = at(x0, y1, c) * (1 - fx) + at(x1, y1, c) * fx
            return top * (1 - fy) + bottom * fy
        }
        return SIMD3(channel(0), channel(1), channel(2))
    }
}

private func clampByte(_ value: Double) -> UInt8 { UInt8(min(255, max(0, value.rounded()))) }

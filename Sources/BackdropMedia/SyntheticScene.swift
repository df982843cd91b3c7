import BackdropCore
#if canImport(Glibc)
import Glibc
#endif

/// The picture `SyntheticSource` draws: a person cut out of a photo, sliding left and right and
/// bobbing a little, over diagonal colour bands that scroll and change hue, or over a photo that
/// pans slowly (the demo's: detail a blur visibly removes).
///
/// Everything the drawing needs is made in `init`; `render` only writes into the caller's pixels
/// and one preallocated row of band colours, so it allocates nothing.
struct SyntheticScene {
    let width: Int
    let height: Int
    let format: PixelFormat
    private let channels: Int
    private let personWidth: Int
    private let personHeight: Int
    /// The person in the output format, and how opaque each of its pixels is.
    private let person: [UInt8]
    private let alpha: [UInt8]
    /// Per person row: visible start, opaque start, opaque end, visible end (columns). The opaque
    /// run is copied, the rest of the visible run blended.
    private let spans: [Int32]
    /// Colours along the diagonal: pixel (x, y) shows entry x + (height - 1 - y).
    private var band: [UInt8]
    /// The background photo scaled to cover `width + pan` x `height`, in the output format (empty: bands).
    private let scenery: [UInt8]
    private let sceneryWidth: Int

    /// Where the person is in the astronaut photo (fractions of its size): the crop, then the
    /// silhouette inside the crop as a head ellipse and a shoulders ellipse.
    private static let crop = (x: 0.03, y: 0.02, width: 0.70, height: 0.98)
    private static let head = (u: 0.59, v: 0.18, ru: 0.22, rv: 0.19)
    private static let body = (u: 0.49, v: 1.0, ru: 0.50, rv: 0.69)
    /// The crop when an alpha says where the person is.
    private static let wholePhoto = (x: 0.0, y: 0.0, width: 1.0, height: 1.0)

    /// `alpha`: the person's coverage of `photo` (gray, the photo's size; 255: person), for a clean
    /// cut-out; nil cuts out the astronaut's head and shoulders as two soft ellipses.
    /// `background`: a photo behind the person; nil draws colour bands.
    init(photo: PixelImage, alpha: PixelImage? = nil, background: PixelImage? = nil, width: Int, height: Int,
         format: PixelFormat) {
        precondition(photo.format == .rgb && photo.layoutProblem == nil, "the photo must be a valid RGB image")
        precondition(alpha.map { $0.format == .gray && $0.width == photo.width && $0.height == photo.height } ?? true,
                     "the alpha must be a gray image the photo's size")
        self.width = width
        self.height = height
        self.format = format
        channels = format.bytesPerPixel
        let crop = alpha == nil ? Self.crop : Self.wholePhoto
        let aspect = crop.width * Double(photo.width) / (crop.height * Double(photo.height))
        var tall = max(1, Int(Double(height) * 0.85))
        var wide = max(1, Int(Double(tall) * aspect))
        if wide > width * 6 / 10 {
            wide = max(1, width * 6 / 10)
            tall = max(1, min(tall, Int(Double(wide) / aspect)))
        }
        personWidth = wide
        personHeight = tall
        (person, self.alpha) = Self.cutOut(photo, alpha: alpha, width: wide, height: tall, format: format)
        spans = Self.spans(of: self.alpha, width: wide, height: tall)
        band = [UInt8](repeating: 0, count: (width + height) * format.bytesPerPixel)
        if let background, background.format == .rgb, background.layoutProblem == nil, background.width > 1, background.height > 1 {
            sceneryWidth = width + width / Self.panShare
            scenery = Self.cover(background, width: sceneryWidth, height: height, format: format)
        } else {
            sceneryWidth = 0
            scenery = []
        }
    }

    /// The background photo pans across this share of the frame's width (1/8) and back.
    private static let panShare = 8

    /// Draws the scene at `seconds` into `pixels` (width x height, tightly packed, `format`).
    mutating func render(at seconds: Double, into pixels: UnsafeMutableBufferPointer<UInt8>) {
        precondition(pixels.count == width * height * channels)
        let rowBytes = width * channels
        let output = pixels.baseAddress!
        if scenery.isEmpty {
            paintBand(at: seconds)
            band.withUnsafeBufferPointer { band in
                for y in 0..<height {
                    (output + y * rowBytes).update(from: band.baseAddress! + (height - 1 - y) * channels, count: rowBytes)
                }
            }
        } else {
            let offset = Int(Double(sceneryWidth - width) * (0.5 + 0.5 * sin(2 * Double.pi * seconds / 10)))
            scenery.withUnsafeBufferPointer { scenery in
                for y in 0..<height {
                    (output + y * rowBytes).update(from: scenery.baseAddress! + (y * sceneryWidth + offset) * channels, count: rowBytes)
                }
            }
        }
        let swing = 0.5 + 0.45 * sin(2 * Double.pi * seconds / 4)
        let left = Int(Double(width - personWidth) * swing)
        let bob = Int(Double(height) * 0.03 * (0.5 + 0.5 * sin(2 * Double.pi * seconds / 1.3)))
        let top = max(0, height - personHeight - bob)
        drawPerson(into: output, left: left, top: top)
    }

    private mutating func paintBand(at seconds: Double) {
        let period = Double(max(width, height)) * 0.75
        let channels = channels
        band.withUnsafeMutableBufferPointer { band in
            for index in 0..<(band.count / channels) {
                let phase = 2 * Double.pi * (Double(index) - 90 * seconds) / period
                let red = 120 + 90 * sin(phase + 0.9 * seconds)
                let green = 120 + 90 * sin(0.7 * phase + 2.1 + 0.4 * seconds)
                let blue = 140 + 90 * sin(1.3 * phase + 4.2 - 0.6 * seconds)
                Self.store(red, green, blue, at: index * channels, in: band, channels: channels)
            }
        }
    }

    private func drawPerson(into output: UnsafeMutablePointer<UInt8>, left: Int, top: Int) {
        let rowBytes = width * channels
        let channels = channels
        person.withUnsafeBufferPointer { person in
            alpha.withUnsafeBufferPointer { alpha in
                for row in 0..<personHeight where top + row < height {
                    let span = row * 4
                    let visibleStart = Int(spans[span]), opaqueStart = Int(spans[span + 1])
                    let opaqueEnd = Int(spans[span + 2]), visibleEnd = Int(spans[span + 3])
                    let source = person.baseAddress! + row * personWidth * channels
                    let coverage = alpha.baseAddress! + row * personWidth
                    let destination = output + (top + row) * rowBytes + left * channels
                    func blend(_ columns: Range<Int>) {
                        for column in columns {
                            let a = Int(coverage[column])
                            for channel in 0..<channels {
                                let at = column * channels + channel
                                destination[at] = UInt8((Int(source[at]) * a + Int(destination[at]) * (255 - a) + 127) / 255)
                            }
                        }
                    }
                    blend(visibleStart..<opaqueStart)
                    (destination + opaqueStart * channels).update(from: source + opaqueStart * channels,
                                                                  count: (opaqueEnd - opaqueStart) * channels)
                    blend(opaqueEnd..<visibleEnd)
                }
            }
        }
    }

    /// The person scaled to `width` x `height` (bilinear) in `format`, with a soft-edged silhouette.
    private static func cutOut(_ photo: PixelImage, alpha coverageImage: PixelImage?, width: Int, height: Int,
                               format: PixelFormat) -> (pixels: [UInt8], alpha: [UInt8]) {
        let channels = format.bytesPerPixel
        var pixels = [UInt8](repeating: 0, count: width * height * channels)
        var alpha = [UInt8](repeating: 0, count: width * height)
        let crop = coverageImage == nil ? crop : wholePhoto  // a cut-out keeps everything it covers (the helmet too)
        let cropX = crop.x * Double(photo.width), cropY = crop.y * Double(photo.height)
        let cropWidth = crop.width * Double(photo.width), cropHeight = crop.height * Double(photo.height)
        pixels.withUnsafeMutableBufferPointer { pixels in
            for y in 0..<height {
                let v = (Double(y) + 0.5) / Double(height)
                for x in 0..<width {
                    let u = (Double(x) + 0.5) / Double(width)
                    let (red, green, blue) = sample(photo, x: cropX + u * cropWidth - 0.5, y: cropY + v * cropHeight - 0.5)
                    store(red, green, blue, at: (y * width + x) * channels, in: pixels, channels: channels)
                    let coverage = coverageImage.map { sample($0, x: cropX + u * cropWidth - 0.5, y: cropY + v * cropHeight - 0.5).0 / 255 }
                        ?? max(edge(u, v, head, width: width, height: height), edge(u, v, body, width: width, height: height))
                    alpha[y * width + x] = UInt8((coverage * 255).rounded())
                }
            }
        }
        return (pixels, alpha)
    }

    /// How much of the pixel at (u, v) lies inside the ellipse, with a one-and-a-half-pixel soft edge.
    private static func edge(_ u: Double, _ v: Double, _ ellipse: (u: Double, v: Double, ru: Double, rv: Double),
                             width: Int, height: Int) -> Double {
        let du = (u - ellipse.u) / ellipse.ru, dv = (v - ellipse.v) / ellipse.rv
        let radiusInPixels = min(ellipse.ru * Double(width), ellipse.rv * Double(height))
        let inside = (1 - (du * du + dv * dv).squareRoot()) * radiusInPixels
        return min(1, max(0, 0.5 + inside / 1.5))
    }

    /// `photo` scaled (bilinear) to cover `width` x `height`, centred, in `format`.
    private static func cover(_ photo: PixelImage, width: Int, height: Int, format: PixelFormat) -> [UInt8] {
        let channels = format.bytesPerPixel
        let scale = max(Double(width) / Double(photo.width), Double(height) / Double(photo.height))
        let left = (Double(photo.width) - Double(width) / scale) / 2, top = (Double(photo.height) - Double(height) / scale) / 2
        var pixels = [UInt8](repeating: 0, count: width * height * channels)
        pixels.withUnsafeMutableBufferPointer { pixels in
            for y in 0..<height {
                for x in 0..<width {
                    let (red, green, blue) = sample(photo, x: left + (Double(x) + 0.5) / scale - 0.5, y: top + (Double(y) + 0.5) / scale - 0.5)
                    store(red, green, blue, at: (y * width + x) * channels, in: pixels, channels: channels)
                }
            }
        }
        return pixels
    }

    /// Bilinear sample of `photo` (RGB, or gray: all three the same) at (`x`, `y`).
    private static func sample(_ photo: PixelImage, x: Double, y: Double) -> (Double, Double, Double) {
        let x0 = min(max(0, Int(x.rounded(.down))), photo.width - 1), y0 = min(max(0, Int(y.rounded(.down))), photo.height - 1)
        let x1 = min(x0 + 1, photo.width - 1), y1 = min(y0 + 1, photo.height - 1)
        let fx = min(1, max(0, x - Double(x0))), fy = min(1, max(0, y - Double(y0)))
        let stride = photo.format.bytesPerPixel
        func value(_ px: Int, _ py: Int, _ channel: Int) -> Double {
            Double(photo.pixels[(py * photo.width + px) * stride + min(channel, stride - 1)])
        }
        func mix(_ channel: Int) -> Double {
            let top = value(x0, y0, channel) * (1 - fx) + value(x1, y0, channel) * fx
            let bottom = value(x0, y1, channel) * (1 - fx) + value(x1, y1, channel) * fx
            return top * (1 - fy) + bottom * fy
        }
        return (mix(0), mix(1), mix(2))
    }

    /// Writes one colour in the output layout (gray is BT.601 luma; alpha is opaque).
    private static func store(_ red: Double, _ green: Double, _ blue: Double, at index: Int,
                              in buffer: UnsafeMutableBufferPointer<UInt8>, channels: Int) {
        func byte(_ value: Double) -> UInt8 { UInt8(min(255, max(0, value.rounded()))) }
        if channels == 1 {
            buffer[index] = byte(0.299 * red + 0.587 * green + 0.114 * blue)
            return
        }
        buffer[index] = byte(red)
        buffer[index + 1] = byte(green)
        buffer[index + 2] = byte(blue)
        if channels == 4 { buffer[index + 3] = 255 }
    }

    private static func spans(of alpha: [UInt8], width: Int, height: Int) -> [Int32] {
        var spans = [Int32](repeating: 0, count: height * 4)
        for row in 0..<height {
            let line = alpha[(row * width)..<((row + 1) * width)]
            let visibleStart = (line.firstIndex { $0 > 0 } ?? line.endIndex) - line.startIndex
            let visibleEnd = (line.lastIndex { $0 > 0 }.map { $0 + 1 } ?? line.endIndex) - line.startIndex
            var opaqueStart = (line.firstIndex { $0 == 255 } ?? line.endIndex) - line.startIndex
            var opaqueEnd = opaqueStart
            while opaqueEnd < width && line[line.startIndex + opaqueEnd] == 255 { opaqueEnd += 1 }
            if visibleStart >= visibleEnd || opaqueStart >= opaqueEnd {
                opaqueStart = min(visibleStart, visibleEnd)
                opaqueEnd = opaqueStart
            }
            spans[row * 4] = Int32(min(visibleStart, visibleEnd))
            spans[row * 4 + 1] = Int32(opaqueStart)
            spans[row * 4 + 2] = Int32(opaqueEnd)
            spans[row * 4 + 3] = Int32(max(visibleStart, visibleEnd))
        }
        return spans
    }
}

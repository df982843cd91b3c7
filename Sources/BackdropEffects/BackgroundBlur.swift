import BackdropCore

/// Blurs the background behind the person, in place.
///
/// The whole frame is blurred once with a fast approximate Gaussian (three box passes each way,
/// integer math, cost independent of `strength`), then the original is composited over the
/// blurred copy by the mask: `frame * w + blurred * (1 - w)`, with `w` the mask through a
/// `MatteCurve` so the person's interior stays exactly as it was.
///
/// From `halfSizeFromBoxRadius` up (the default strength and above), the blur runs on a half-size
/// copy of the frame with half the radius, doubled back (bilinear) before compositing: a quarter of
/// the work, and nothing a blur that wide keeps is lost by halving (mean difference from the
/// full-size blur under 2 grey levels on the test photo).
///
/// The blurred copy, the half-size planes and the blur's intermediate image belong to this object,
/// sized on the first frame (and when the frame size changes); later frames allocate nothing.
public final class BackgroundBlur {
    /// How far the blur reaches, in pixels each side (the Gaussian's sigma is about a third of it).
    /// 0 leaves the background sharp.
    public var strength: Int
    public var curve: MatteCurve { didSet { table.update(curve) } }

    /// Blur at half size from this box radius up (see above); `Int.max` always blurs at full size.
    public var halfSizeFromBoxRadius: Int

    private let blur = PixelBoxBlur()
    private let blurred = ScratchBuffer<UInt8>()
    private let halved = ScratchBuffer<UInt8>(), halvedBlurred = ScratchBuffer<UInt8>()
    private let doublingRow = ScratchBuffer<UInt16>()
    private let table: MatteTable

    /// The box radius from which the blur runs at half size by default (strength 11 and up).
    public static let defaultHalfSizeFromBoxRadius = 4

    public init(strength: Int = Effect.defaultBlurStrength, curve: MatteCurve = .standard,
                halfSizeFromBoxRadius: Int = BackgroundBlur.defaultHalfSizeFromBoxRadius) {
        precondition(strength >= 0, "blur strength must be >= 0")
        self.strength = strength
        self.curve = curve
        self.table = MatteTable(curve)
        self.halfSizeFromBoxRadius = halfSizeFromBoxRadius
    }

    /// Radius of each of the three box passes for `strength`: three boxes of radius b reach 3b.
    public static func boxRadius(strength: Int) -> Int {
        strength <= 0 ? 0 : min(PixelBoxBlur.maximumBoxRadius, max(1, Int((Double(strength) / 3).rounded())))
    }

    /// Blurs `frame`'s background where `mask` (the frame's size) says there is no person.
    public func apply(to frame: inout PixelImage, mask: ConfidenceMask) {
        precondition(frame.layoutProblem == nil, frame.layoutProblem ?? "")
        precondition(mask.width == frame.width && mask.height == frame.height, "mask and frame sizes differ")
        precondition(frame.format != .gray, "background blur needs a colour image")
        let radius = Self.boxRadius(strength: strength)
        guard radius > 0 else { return }
        let width = frame.width, height = frame.height, channels = frame.format.bytesPerPixel
        blurred.reserve(width * height * channels)
        let other = blurred.pointer
        frame.pixels.withUnsafeMutableBufferPointer { pixels in
            mask.values.withUnsafeBufferPointer { values in
                let pixels = pixels.baseAddress!
                if radius >= halfSizeFromBoxRadius {
                    blurAtHalfSize(pixels, into: other, width: width, height: height, channels: channels, boxRadius: radius)
                } else {
                    blur.blur(pixels, into: other, width: width, height: height, channels: channels, boxRadius: radius)
                }
                Compositing.blend(frame: pixels, other: other, mask: values.baseAddress!,
                                  pixelCount: width * height, channels: channels, table: table)
            }
        }
    }

    private func blurAtHalfSize(_ frame: UnsafePointer<UInt8>, into output: UnsafeMutablePointer<UInt8>,
                                width: Int, height: Int, channels: Int, boxRadius: Int) {
        let halfWidth = HalfScale.half(width), halfHeight = HalfScale.half(height)
        halved.reserve(halfWidth * halfHeight * channels)
        halvedBlurred.reserve(halfWidth * halfHeight * channels)
        doublingRow.reserve(halfWidth * channels)
        HalfScale.halve(frame, width: width, height: height, channels: channels, into: halved.pointer)
        blur.blur(halved.pointer, into: halvedBlurred.pointer, width: halfWidth, height: halfHeight, channels: channels,
                  boxRadius: (boxRadius + 1) / 2)
        HalfScale.double(halvedBlurred.pointer, width: width, height: height, channels: channels, into: output,
                         row: doublingRow.pointer)
    }

    /// Base addresses of the buffers this object owns, for tests and diagnostics that check storage
    /// is reused across frames. Reading this allocates an array: don't call it per frame.
    public var storageAddresses: [UnsafeRawPointer] {
        [blurred.address, halved.address, halvedBlurred.address, doublingRow.address] + blur.addresses
    }
}

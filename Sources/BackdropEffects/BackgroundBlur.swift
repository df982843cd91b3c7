import BackdropCore

/// Blurs the background behind the person, in place.
///
/// The whole frame is blurred once with a fast approximate Gaussian (three box passes each way,
/// integer math, cost independent of `strength`), then the original is composited over the
/// blurred copy by the mask: `frame * w + blurred * (1 - w)`, with `w` the mask through a
/// `MatteCurve` so the person's interior stays exactly as it was.
///
/// From `halfSizeFromBoxRadius` up, the blur runs on a half-size copy of the frame with half the
/// radius, doubled back (bilinear) before compositing: a quarter of the work, and nothing a blur
/// that wide keeps is lost by halving (mean difference from the full-size blur under 2 grey levels
/// on the test photo). From `quarterSizeFromBoxRadius` up (the default strength and above) it runs
/// on a quarter-size copy with a quarter of the radius, doubled twice: a Gaussian of sigma 5.5
/// pixels (strength 16) keeps nothing finer than 8 pixels, which is what a quarter-size picture holds.
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
    /// Blur at quarter size from this box radius up (when also at least `halfSizeFromBoxRadius`).
    public var quarterSizeFromBoxRadius: Int

    private let blur = PixelBoxBlur()
    private let halved = ScratchBuffer<UInt8>(), quartered = ScratchBuffer<UInt8>()
    private let blurredFull = ScratchBuffer<UInt8>(), blurredHalf = ScratchBuffer<UInt8>(), blurredQuarter = ScratchBuffer<UInt8>()
    private let doublingRow = ScratchBuffer<UInt16>()
    private let blend = UpscalingBlend()
    private let table: MatteTable

    /// The box radius from which the blur runs at half size by default (strength 11 and up).
    public static let defaultHalfSizeFromBoxRadius = 4
    /// The box radius from which the blur runs at quarter size by default (strength 14 and up: the
    /// quarter-size radius, a quarter of it rounded, is then at least 1 and within 5% of the sigma).
    public static let defaultQuarterSizeFromBoxRadius = 5

    public init(strength: Int = Effect.defaultBlurStrength, curve: MatteCurve = .standard,
                halfSizeFromBoxRadius: Int = BackgroundBlur.defaultHalfSizeFromBoxRadius,
                quarterSizeFromBoxRadius: Int = BackgroundBlur.defaultQuarterSizeFromBoxRadius) {
        precondition(strength >= 0, "blur strength must be >= 0")
        self.strength = strength
        self.curve = curve
        self.table = MatteTable(curve)
        self.halfSizeFromBoxRadius = halfSizeFromBoxRadius
        self.quarterSizeFromBoxRadius = quarterSizeFromBoxRadius
    }

    /// Radius of each of the three box passes for `strength`: three boxes of radius b reach 3b.
    public static func boxRadius(strength: Int) -> Int {
        strength <= 0 ? 0 : min(PixelBoxBlur.maximumBoxRadius, max(1, Int((Double(strength) / 3).rounded())))
    }

    /// Blurs `frame`'s background where `mask` (the frame's size) says there is no person.
    public func apply(to frame: inout PixelImage, mask: ConfidenceMask) {
        precondition(mask.width == frame.width && mask.height == frame.height, "mask and frame sizes differ")
        mask.values.withUnsafeBufferPointer { values in
            composite(onto: &frame, matte: .mask(values.baseAddress!, table), halfFrame: nil)
        }
    }

    /// Blurs the background under `matte`. `halfFrame`, when given, is `frame` at half size
    /// (`HalfScale.half` of each side): a reduced blur starts from it instead of halving again.
    func composite(onto frame: inout PixelImage, matte: Matte, halfFrame: PixelImage?) {
        precondition(frame.layoutProblem == nil, frame.layoutProblem ?? "")
        precondition(frame.format != .gray, "background blur needs a colour image")
        let radius = Self.boxRadius(strength: strength)
        guard radius > 0 else { return }
        let width = frame.width, height = frame.height, channels = frame.format.bytesPerPixel
        frame.pixels.withUnsafeMutableBufferPointer { pixels in
            let pixels = pixels.baseAddress!
            let (background, factor) = blurred(pixels, halfFrame: halfFrame, width: width, height: height, channels: channels,
                                               boxRadius: radius)
            switch matte {
            case .halfWeights(let weights):  // a reduced blur is brought up while blending
                blend.blend(frame: pixels, width: width, height: height, channels: channels, halfWeights: weights,
                            background: .reduced(background, factor: factor))
            case .mask(let mask, let table):
                let full = upscale(background, factor: factor, width: width, height: height, channels: channels)
                Compositing.blend(frame: pixels, other: full, mask: mask, pixelCount: width * height, channels: channels,
                                  table: table)
            }
        }
    }

    /// The frame blurred at the size `radius` calls for (full, half or quarter), and that size's
    /// reduction factor (1, 2 or 4). The image is owned here, valid until the next frame.
    private func blurred(_ frame: UnsafePointer<UInt8>, halfFrame: PixelImage?, width: Int, height: Int, channels: Int,
                         boxRadius: Int) -> (UnsafePointer<UInt8>, Int) {
        guard boxRadius >= halfSizeFromBoxRadius else {
            blurredFull.reserve(width * height * channels)
            blur.blur(frame, into: blurredFull.pointer, width: width, height: height, channels: channels, boxRadius: boxRadius)
            return (UnsafePointer(blurredFull.pointer), 1)
        }
        let halfWidth = HalfScale.half(width), halfHeight = HalfScale.half(height)
        if let halfFrame, halfFrame.width == halfWidth, halfFrame.height == halfHeight,
           halfFrame.format.bytesPerPixel == channels, halfFrame.layoutProblem == nil {
            return halfFrame.pixels.withUnsafeBufferPointer { half in  // the caller's half-size frame, read in place
                blurred(half: half.baseAddress!, halfWidth: halfWidth, halfHeight: halfHeight, channels: channels,
                        boxRadius: boxRadius)
            }
        }
        halved.reserve(halfWidth * halfHeight * channels)
        HalfScale.halve(frame, width: width, height: height, channels: channels, into: halved.pointer)
        return blurred(half: halved.pointer, halfWidth: halfWidth, halfHeight: halfHeight, channels: channels, boxRadius: boxRadius)
    }

    /// The half-size frame blurred at half size with half the radius, or at quarter size with a
    /// quarter of it from `quarterSizeFromBoxRadius` up; the result (owned here) and its factor.
    private func blurred(half: UnsafePointer<UInt8>, halfWidth: Int, halfHeight: Int, channels: Int,
                         boxRadius: Int) -> (UnsafePointer<UInt8>, Int) {
        guard boxRadius >= quarterSizeFromBoxRadius else {
            blurredHalf.reserve(halfWidth * halfHeight * channels)
            blur.blur(half, into: blurredHalf.pointer, width: halfWidth, height: halfHeight, channels: channels,
                      boxRadius: (boxRadius + 1) / 2)
            return (UnsafePointer(blurredHalf.pointer), 2)
        }
        let quarterWidth = HalfScale.half(halfWidth), quarterHeight = HalfScale.half(halfHeight)
        quartered.reserve(quarterWidth * quarterHeight * channels)
        blurredQuarter.reserve(quarterWidth * quarterHeight * channels)
        HalfScale.halve(half, width: halfWidth, height: halfHeight, channels: channels, into: quartered.pointer)
        blur.blur(quartered.pointer, into: blurredQuarter.pointer, width: quarterWidth, height: quarterHeight,
                  channels: channels, boxRadius: max(1, (boxRadius + 2) / 4))
        return (UnsafePointer(blurredQuarter.pointer), 4)
    }

    /// A reduced blurred image doubled back to the frame's size (for compositing with a full-size mask).
    private func upscale(_ image: UnsafePointer<UInt8>, factor: Int, width: Int, height: Int, channels: Int) -> UnsafePointer<UInt8> {
        guard factor > 1 else { return image }
        let halfWidth = HalfScale.half(width), halfHeight = HalfScale.half(height)
        doublingRow.reserve(halfWidth * channels)
        var half = image
        if factor == 4 {
            blurredHalf.reserve(halfWidth * halfHeight * channels)
            HalfScale.double(image, width: halfWidth, height: halfHeight, channels: channels, into: blurredHalf.pointer,
                             row: doublingRow.pointer)
            half = UnsafePointer(blurredHalf.pointer)
        }
        blurredFull.reserve(width * height * channels)
        HalfScale.double(half, width: width, height: height, channels: channels, into: blurredFull.pointer, row: doublingRow.pointer)
        return UnsafePointer(blurredFull.pointer)
    }

    /// Base addresses of the buffers this object owns, for tests and diagnostics that check storage
    /// is reused across frames. Reading this allocates an array: don't call it per frame.
    public var storageAddresses: [UnsafeRawPointer] {
        [halved.address, quartered.address, blurredFull.address, blurredHalf.address, blurredQuarter.address,
         doublingRow.address] + blur.addresses + blend.addresses
    }
}

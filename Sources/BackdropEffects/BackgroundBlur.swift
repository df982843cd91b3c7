import BackdropCore
import CPixelKernels

/// Blurs the background behind the person, in place, without a halo.
///
/// The background is blurred from background pixels only: each pixel is weighted by how much of
/// it is background (`1 - w`, `w` the person's weight: the mask through a `MatteCurve`), the
/// weighted image and the weights are blurred with a fast approximate Gaussian (three box passes
/// each way, integer math, cost independent of `strength`), and one is divided by the other. So
/// none of the person's colours is smeared into the background beside them (the halo of a blur of
/// the whole frame). The original is then composited over it by the mask,
/// `frame * w + background * (1 - w)`, so the person's interior stays exactly as it was.
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
    /// The person's weights at half and at full size, when the matte is not already at that size.
    private let halfWeights = ScratchBuffer<UInt8>(), fullWeights = ScratchBuffer<UInt8>()
    /// The frame premultiplied by its background share (at half size, and at the blur's when that
    /// differs), blurred, and divided back.
    private let premultipliedHalf = ScratchBuffer<UInt8>(), premultiplied = ScratchBuffer<UInt8>()
    private let blurredPremultiplied = ScratchBuffer<UInt8>()
    private let grownPerson = ScratchBuffer<UInt8>(), dilationScratch = ScratchBuffer<UInt8>()
    private let blurred = ScratchBuffer<UInt8>()
    /// The blurred background doubled back to the frame's size (for a full-size mask).
    private let blurredFull = ScratchBuffer<UInt8>(), blurredHalf = ScratchBuffer<UInt8>()
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
        let factor = radius >= halfSizeFromBoxRadius ? (radius >= quarterSizeFromBoxRadius ? 4 : 2) : 1
        let smallRadius = factor == 4 ? max(1, (radius + 2) / 4) : (factor == 2 ? (radius + 1) / 2 : radius)
        frame.pixels.withUnsafeMutableBufferPointer { pixels in
            let pixels = pixels.baseAddress!
            let size = Size(width: width, height: height, factor: factor)
            let background = blurredBackground(pixels, halfFrame: halfFrame, matte: matte, size: size, channels: channels,
                                               boxRadius: smallRadius)
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

    /// The frame's size and the reduced size the blur runs at (`factor` 1, 2 or 4: `HalfScale.half`
    /// of each side taken that many halvings).
    private struct Size {
        let width: Int, height: Int, factor: Int
        var halfWidth: Int { HalfScale.half(width) }
        var halfHeight: Int { HalfScale.half(height) }
        var smallWidth: Int { factor == 1 ? width : (factor == 2 ? halfWidth : HalfScale.half(halfWidth)) }
        var smallHeight: Int { factor == 1 ? height : (factor == 2 ? halfHeight : HalfScale.half(halfHeight)) }
        var smallCount: Int { smallWidth * smallHeight }
    }

    /// The background blurred (halo-free) at the blur's size, from the frame itself, the caller's
    /// half-size frame (read in place) or a copy halved here. Owned here, valid until the next frame.
    private func blurredBackground(_ frame: UnsafePointer<UInt8>, halfFrame: PixelImage?, matte: Matte, size: Size,
                                   channels: Int, boxRadius: Int) -> UnsafePointer<UInt8> {
        guard size.factor > 1 else {
            premultiply(frame, person: fullSizeWeights(matte, size: size), width: size.width, height: size.height,
                        channels: channels, into: premultiplied)
            return backgroundOnly(premultiplied: premultiplied.pointer, fallback: frame, size: size, channels: channels,
                                  boxRadius: boxRadius)
        }
        if let halfFrame, halfFrame.width == size.halfWidth, halfFrame.height == size.halfHeight,
           halfFrame.format.bytesPerPixel == channels, halfFrame.layoutProblem == nil {
            return halfFrame.pixels.withUnsafeBufferPointer { half in
                blurredBackground(half: half.baseAddress!, matte: matte, size: size, channels: channels, boxRadius: boxRadius)
            }
        }
        halved.reserve(size.halfWidth * size.halfHeight * channels)
        HalfScale.halve(frame, width: size.width, height: size.height, channels: channels, into: halved.pointer)
        return blurredBackground(half: halved.pointer, matte: matte, size: size, channels: channels, boxRadius: boxRadius)
    }

    /// The same from the frame at half size. The background's share is taken at half size (where
    /// the person's weights are made) and, for a quarter-size blur, the premultiplied image is
    /// halved after: averaging premultiplied pixels keeps only background colour, where halving
    /// the frame first would mix the person's colour into the pixels along the outline.
    private func blurredBackground(half: UnsafePointer<UInt8>, matte: Matte, size: Size, channels: Int,
                                   boxRadius: Int) -> UnsafePointer<UInt8> {
        premultiply(half, person: halfSizeWeights(matte, size: size), width: size.halfWidth, height: size.halfHeight,
                    channels: channels, into: premultipliedHalf)
        guard size.factor == 4 else {
            return backgroundOnly(premultiplied: premultipliedHalf.pointer, fallback: half, size: size, channels: channels,
                                  boxRadius: boxRadius)
        }
        quartered.reserve(size.smallCount * channels)
        HalfScale.halve(half, width: size.halfWidth, height: size.halfHeight, channels: channels, into: quartered.pointer)
        premultiplied.reserve(size.smallCount * 4)
        HalfScale.halve(premultipliedHalf.pointer, width: size.halfWidth, height: size.halfHeight, channels: 4,
                        into: premultiplied.pointer)
        return backgroundOnly(premultiplied: premultiplied.pointer, fallback: quartered.pointer, size: size, channels: channels,
                              boxRadius: boxRadius)
    }

    /// The person's weight bytes (255: person) at half the frame's size: the renderer's own, or a
    /// full-size mask through the curve, halved.
    private func halfSizeWeights(_ matte: Matte, size: Size) -> UnsafePointer<UInt8> {
        switch matte {
        case .halfWeights(let half):
            return half
        case .mask:
            let full = fullSizeWeights(matte, size: size)
            halfWeights.reserve(size.halfWidth * size.halfHeight)
            HalfScale.halve(full, width: size.width, height: size.height, channels: 1, into: halfWeights.pointer)
            return UnsafePointer(halfWeights.pointer)
        }
    }

    /// The person's weight bytes at the frame's size: a full-size mask through the curve, or the
    /// half-size weights doubled (bilinear).
    private func fullSizeWeights(_ matte: Matte, size: Size) -> UnsafePointer<UInt8> {
        fullWeights.reserve(size.width * size.height)
        switch matte {
        case .halfWeights(let half):
            doublingRow.reserve(size.halfWidth)
            HalfScale.double(half, width: size.width, height: size.height, channels: 1, into: fullWeights.pointer,
                             row: doublingRow.pointer)
        case .mask(let mask, let table):
            for i in 0..<(size.width * size.height) { fullWeights.pointer[i] = UInt8(min(255, table.weight(mask[i]))) }
        }
        return UnsafePointer(fullWeights.pointer)
    }

    /// `image` (`width` x `height`) premultiplied by its background share into `output` (4 bytes
    /// a pixel: colour times share, then the share). The person is grown by one pixel first, so
    /// the pixels along the outline, which mix the person's colour with the background's, carry
    /// none of it out.
    private func premultiply(_ image: UnsafePointer<UInt8>, person: UnsafePointer<UInt8>, width: Int, height: Int,
                             channels: Int, into output: ScratchBuffer<UInt8>) {
        let count = width * height
        grownPerson.reserve(count)
        dilationScratch.reserve(count)
        output.reserve(count * 4)
        bd_dilate_3x3(person, Int32(width), Int32(height), dilationScratch.pointer, grownPerson.pointer)
        bd_premultiply_background(image, grownPerson.pointer, Int32(count), Int32(channels), output.pointer)
    }

    /// The premultiplied background (at the blur's size) blurred and divided by its blurred share:
    /// the background blurred from background pixels only (what makes the blur halo-free), so a
    /// person's colours never reach the background next to them. Deep inside the person, where no
    /// background is within reach (and the composite shows none), the pixel is `fallback`'s (the
    /// frame at the blur's size). The result (owned here) is at the blur's size.
    private func backgroundOnly(premultiplied: UnsafePointer<UInt8>, fallback: UnsafePointer<UInt8>, size: Size, channels: Int,
                                boxRadius: Int) -> UnsafePointer<UInt8> {
        let count = size.smallCount
        blurredPremultiplied.reserve(count * 4)
        blurred.reserve(count * channels)
        blur.blur(premultiplied, into: blurredPremultiplied.pointer, width: size.smallWidth, height: size.smallHeight,
                  channels: 4, boxRadius: boxRadius)
        bd_unpremultiply(blurredPremultiplied.pointer, fallback, Int32(count), Int32(channels), Int32(Self.minimumBackgroundShare),
                         blurred.pointer)
        return UnsafePointer(blurred.pointer)
    }

    /// Below this blurred background share (of 255) a pixel has too little background around it to
    /// average (the division would magnify rounding), and keeps the frame's own pixel.
    static let minimumBackgroundShare = 12

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
        [halved.address, quartered.address, halfWeights.address, fullWeights.address, premultipliedHalf.address, premultiplied.address,
         blurredPremultiplied.address, grownPerson.address, dilationScratch.address, blurred.address, blurredFull.address, blurredHalf.address, doublingRow.address] + blur.addresses + blend.addresses
    }
}

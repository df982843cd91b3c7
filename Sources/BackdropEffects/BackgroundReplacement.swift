import BackdropCore

/// Replaces the background behind the person with an image or a solid colour, in place.
///
/// An image background is scaled to cover the frame (scaled until both sides fill it, then
/// centre-cropped, so nothing is stretched and there are no bars) and kept at the frame's size;
/// the scaling happens once per frame size, or once per `setBackground(_:)` for a background that
/// changes (a looping video), never per `apply`. The person is then composited over it by the mask
/// through a `MatteCurve`. A solid colour needs no scaling at all; `greenScreen` is (0, 255, 0) for
/// keying in another program.
///
/// The scaled background and the copy of the source it is scaled from belong to this object and
/// are reused while the sizes stay the same: steady-state frames allocate nothing.
public final class BackgroundReplacement {
    public var curve: MatteCurve { didSet { table.update(curve) } }

    private enum Fill { case image, color(UInt8, UInt8, UInt8) }
    private var fill: Fill
    /// The caller's background, copied (the caller may reuse its buffer for the next video frame).
    private var source = PixelImage(width: 0, height: 0, format: .rgb)
    private let scaled = ScratchBuffer<UInt8>()
    private var scaledSize = (width: 0, height: 0, channels: 0)
    private var scaledIsCurrent = false
    private let tapsX = LinearTaps(), tapsY = LinearTaps()
    private let table: MatteTable
    private let blend = UpscalingBlend()

    /// A background image, scaled to cover each frame.
    public init(image: PixelImage, curve: MatteCurve = .standard) {
        precondition(image.layoutProblem == nil, image.layoutProblem ?? "")
        self.curve = curve
        self.table = MatteTable(curve)
        self.fill = .image
        self.source = image
    }

    /// A solid colour background.
    public init(red: UInt8, green: UInt8, blue: UInt8, curve: MatteCurve = .standard) {
        self.curve = curve
        self.table = MatteTable(curve)
        self.fill = .color(red, green, blue)
    }

    /// Pure green (0, 255, 0), for chroma keying downstream.
    public static func greenScreen(curve: MatteCurve = .standard) -> BackgroundReplacement {
        BackgroundReplacement(red: 0, green: 255, blue: 0, curve: curve)
    }

    /// Switches to (or updates) an image background. For a looping video pass each new frame:
    /// it is copied into this object's buffer and rescaled into the preallocated scaled background
    /// right away (when a frame size is already known), so neither allocates while sizes hold.
    public func setBackground(_ image: PixelImage) {
        precondition(image.layoutProblem == nil, image.layoutProblem ?? "")
        fill = .image
        source.overwrite(with: image)
        scaledIsCurrent = false
        if scaledSize.width > 0 { rescale() }
    }

    /// Switches to a solid colour background.
    public func setColor(red: UInt8, green: UInt8, blue: UInt8) {
        fill = .color(red, green, blue)
    }

    /// Replaces `frame`'s background where `mask` (the frame's size) says there is no person.
    public func apply(to frame: inout PixelImage, mask: ConfidenceMask) {
        precondition(mask.width == frame.width && mask.height == frame.height, "mask and frame sizes differ")
        mask.values.withUnsafeBufferPointer { values in
            composite(onto: &frame, matte: .mask(values.baseAddress!, table), halfFrame: nil)
        }
    }

    /// Replaces the background under `matte` (`halfFrame` is not needed: the background is its own).
    func composite(onto frame: inout PixelImage, matte: Matte, halfFrame: PixelImage?) {
        precondition(frame.layoutProblem == nil, frame.layoutProblem ?? "")
        precondition(frame.format != .gray, "background replacement needs a colour image")
        let channels = frame.format.bytesPerPixel, pixelCount = frame.width * frame.height
        let width = frame.width, height = frame.height
        switch fill {
        case .color(let red, let green, let blue):
            frame.pixels.withUnsafeMutableBufferPointer { pixels in
                switch matte {
                case .mask(let mask, let table):
                    Compositing.blend(frame: pixels.baseAddress!, color: (red, green, blue), mask: mask,
                                      pixelCount: pixelCount, channels: channels, table: table)
                case .halfWeights(let weights):
                    blend.blend(frame: pixels.baseAddress!, width: width, height: height, channels: channels,
                                halfWeights: weights, background: .color(red, green, blue))
                }
            }
        case .image:
            // Field by field: `!=` on a tuple instantiates tuple metadata (a heap allocation) on first use.
            if !scaledIsCurrent || scaledSize.width != frame.width || scaledSize.height != frame.height
                || scaledSize.channels != channels {
                scaledSize = (frame.width, frame.height, channels)
                rescale()
            }
            let other = scaled.pointer
            frame.pixels.withUnsafeMutableBufferPointer { pixels in
                switch matte {
                case .mask(let mask, let table):
                    Compositing.blend(frame: pixels.baseAddress!, other: other, mask: mask, pixelCount: pixelCount,
                                      channels: channels, table: table)
                case .halfWeights(let weights):
                    blend.blend(frame: pixels.baseAddress!, width: width, height: height, channels: channels,
                                halfWeights: weights, background: .reduced(other, factor: 1))
                }
            }
        }
    }

    /// The image background as it is composited at the current frame size (nil before the first
    /// frame or with a colour background). For tests and previews: it allocates a copy.
    public func renderedBackground() -> PixelImage? {
        guard case .image = fill, scaledIsCurrent, scaledSize.width > 0 else { return nil }
        let (width, height, channels) = scaledSize
        let format: PixelFormat = channels == 4 ? .rgba : .rgb
        return PixelImage(width: width, height: height, format: format,
                          pixels: Array(UnsafeBufferPointer(start: scaled.pointer, count: width * height * channels)))
    }

    /// Base address of the scaled background, for tests and diagnostics that check it is reused.
    public var storageAddress: UnsafeRawPointer { scaled.address }

    /// Scales `source` to cover `scaledSize` (centre crop), bilinear, into `scaled`.
    private func rescale() {
        let (width, height, channels) = scaledSize
        let sourceWidth = source.width, sourceHeight = source.height, sourceChannels = source.format.bytesPerPixel
        scaled.reserve(width * height * channels)
        let scale = max(Double(width) / Double(sourceWidth), Double(height) / Double(sourceHeight))
        tapsX.build(destination: width, source: sourceWidth, scale: scale,
                    offset: (Double(sourceWidth) - Double(width) / scale) / 2)
        tapsY.build(destination: height, source: sourceHeight, scale: scale,
                    offset: (Double(sourceHeight) - Double(height) / scale) / 2)
        let x0 = tapsX.first.pointer, x1 = tapsX.second.pointer, fx = tapsX.fixedWeight.pointer
        let out = scaled.pointer
        source.pixels.withUnsafeBufferPointer { pixels in
            let base = pixels.baseAddress!
            let sourceRow = sourceWidth * sourceChannels
            for y in 0..<height {
                let top = base + Int(tapsY.first.pointer[y]) * sourceRow
                let bottom = base + Int(tapsY.second.pointer[y]) * sourceRow
                let wy = tapsY.fixedWeight.pointer[y], vy = 256 - wy
                let line = out + y * width * channels
                for x in 0..<width {
                    let a = Int(x0[x]) * sourceChannels, b = Int(x1[x]) * sourceChannels
                    let wx = fx[x], vx = 256 - wx
                    for c in 0..<3 {
                        let sc = sourceChannels == 1 ? 0 : c
                        let upper = Int32(top[a + sc]) &* vx &+ Int32(top[b + sc]) &* wx
                        let lower = Int32(bottom[a + sc]) &* vx &+ Int32(bottom[b + sc]) &* wx
                        line[x * channels + c] = UInt8(truncatingIfNeeded: (upper &* vy &+ lower &* wy &+ 32768) >> 16)
                    }
                    if channels == 4 { line[x * channels + 3] = 255 }
                }
            }
        }
        scaledIsCurrent = true
    }
}

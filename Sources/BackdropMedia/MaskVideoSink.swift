import BackdropCore

/// Writes the person mask as a video for editors: either the mask alone as grayscale
/// (0 background ... 255 person), or the frame's colour with the mask as its alpha channel
/// (lossless FFV1 RGBA in Matroska, which compositors key on directly).
///
/// Mask values map to 8 bits as `Mask.grayImage()` maps them (`(value * 255).rounded()`, clamped to
/// 0...1 first; NaN is 0). The file is written and renamed into place like ``VideoFileSink``'s.
public final class MaskVideoSink: MaskSink {
    public enum Layout: Sendable, Equatable {
        /// The mask alone, one channel: FFV1 gray (exact) or H.264 (full-range luma, lossy).
        case gray
        /// The frame's RGB with the mask as alpha: FFV1 RGBA, exact. Lossless only.
        case frameWithAlpha
    }

    public let layout: Layout
    public var path: String { file.path }
    public var temporaryPath: String { file.temporaryPath }
    public var name: String { file.name }
    public var framesWritten: Int { file.framesWritten }

    private let file: VideoFileSink
    /// The picture handed to the encoder, refilled in place every frame.
    private var scratch: VideoFrame

    /// `path` must end in .mkv for `.lossless` (the default); `.h264` suits `.gray` in .mp4 or .mkv.
    public init(path: String, width: Int, height: Int, frameRate: Double, layout: Layout = .gray,
                codec: VideoCodec = .lossless) throws(MediaError) {
        let format: PixelFormat = layout == .gray ? .gray : .rgba
        file = try VideoFileSink(path: path, width: width, height: height, frameRate: frameRate, codec: codec,
                                 pixelFormat: format)
        self.layout = layout
        scratch = VideoFrame(image: PixelImage(width: width, height: height, format: format))
    }

    /// Writes `mask` (and for `.frameWithAlpha`, `frame`'s colour) at `frame`'s timestamp. The mask
    /// must be the frame's size.
    public func write(_ frame: VideoFrame, mask: Mask<Float>) throws(MediaError) {
        let image = frame.image
        if let problem = image.layoutProblem { throw .invalidImage(path: path, reason: problem) }
        guard mask.width == image.width, mask.height == image.height, mask.values.count == mask.width * mask.height else {
            throw .invalidImage(path: path, reason: "the mask is \(mask.width)x\(mask.height) but the frame is "
                + "\(image.width)x\(image.height); scale the mask to the frame first")
        }
        guard image.width == scratch.image.width, image.height == scratch.image.height else {
            throw .invalidImage(path: path, reason: "the frame is \(image.width)x\(image.height) but the video is "
                + "\(scratch.image.width)x\(scratch.image.height)")
        }
        scratch.timestampMicroseconds = frame.timestampMicroseconds
        scratch.index = frame.index
        scratch.rotationDegrees = frame.rotationDegrees
        let layout = self.layout
        scratch.image.pixels.withUnsafeMutableBufferPointer { output in
            mask.values.withUnsafeBufferPointer { alpha in
                image.pixels.withUnsafeBufferPointer { colour in
                    if layout == .gray {
                        for index in alpha.indices { output[index] = Self.byte(alpha[index]) }
                    } else {
                        Self.fillRGBA(output, colour: colour, format: image.format, alpha: alpha)
                    }
                }
            }
        }
        try file.write(scratch)
    }

    /// Completes the file and renames it into place (see ``VideoFileSink/finish()``).
    public func finish() throws(MediaError) {
        try file.finish()
    }

    /// For a run that failed (see ``VideoFileSink/finishAfterFailure()``): where the frames so far are kept, if anywhere.
    public func finishAfterFailure() -> String? {
        file.finishAfterFailure()
    }

    /// Stops and deletes the temporary file.
    public func cancel() {
        file.cancel()
    }

    private static func byte(_ value: Float) -> UInt8 {
        value.isNaN ? 0 : UInt8((min(max(value, 0), 1) * 255).rounded())
    }

    private static func fillRGBA(_ output: UnsafeMutableBufferPointer<UInt8>, colour: UnsafeBufferPointer<UInt8>,
                                 format: PixelFormat, alpha: UnsafeBufferPointer<Float>) {
        let channels = format.bytesPerPixel
        for pixel in alpha.indices {
            let source = pixel * channels, target = pixel * 4
            if format == .gray {
                output[target] = colour[source]
                output[target + 1] = colour[source]
                output[target + 2] = colour[source]
            } else {
                output[target] = colour[source]
                output[target + 1] = colour[source + 1]
                output[target + 2] = colour[source + 2]
            }
            output[target + 3] = byte(alpha[pixel])
        }
    }
}

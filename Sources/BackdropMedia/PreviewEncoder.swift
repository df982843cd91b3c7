import BackdropCore
import CFFmpeg

/// Encodes preview pictures (frames, or a person mask as gray) to JPEG, shrunk to at most
/// `maxWidth` pixels wide with the aspect kept; the studio's MJPEG stream and snapshot use it.
///
/// It keeps one MJPEG codec context and picture for the output size and one libswscale context
/// for the input size and format, re-made only when those change, so a steady stream of
/// same-sized frames opens no codec per frame and, through `encode(_:into:)`, allocates no Swift
/// memory (libavcodec's MJPEG encoder still mallocs ~50 small blocks a picture, its copy of the
/// input and per-picture tables, freed at once). Every FFmpeg object belongs to this one instance
/// and is freed with it.
///
/// Not thread-safe: use an encoder from one task at a time, and one per view (frames and a mask
/// through the same encoder would rebuild the scaler at every switch).
public final class PreviewEncoder {
    /// The widest picture produced; narrower inputs keep their size (a preview is never enlarged).
    public let maxWidth: Int
    /// JPEG quality, 1 (smallest) ... 100 (finest).
    public let quality: Int
    /// Names the encoder in errors.
    public let name: String

    /// Previews are shown in a browser: 4:2:0 chroma halves the bytes against 4:4:4 for colour
    /// differences nobody sees at 640 px. MJPEG takes no gray, so masks are 4:2:0 with flat chroma.
    private static let pixelFormat = AV_PIX_FMT_YUVJ420P
    /// JPEG's frame header holds each side in 16 bits.
    private static let largestJPEGSide = 65_535

    private let scaler = SinkScaler(fullRangeOutput: true)
    private var codec: PictureCodec?
    private var picture: UnsafeMutablePointer<AVFrame>?
    private var maskImage = PixelImage(width: 0, height: 0, format: .gray)

    /// `maxWidth` at least 1, `quality` 1...100; `.unsupported` names the bad value.
    public init(maxWidth: Int = 640, quality: Int = 80, name: String = "preview") throws(MediaError) {
        guard (1...Self.largestJPEGSide).contains(maxWidth) else {
            throw .unsupported(path: name, reason: "maxWidth \(maxWidth) is outside 1...\(Self.largestJPEGSide) pixels")
        }
        guard (1...100).contains(quality) else {
            throw .unsupported(path: name, reason: "JPEG quality \(quality) is outside 1...100")
        }
        self.maxWidth = maxWidth
        self.quality = quality
        self.name = name
    }

    deinit {
        if let picture { FrameConversion.free(picture) }
    }

    /// The size a `width` x `height` input is encoded at: at most `maxWidth` wide, the aspect kept
    /// (rounded), at least 1 pixel high.
    public func outputSize(width: Int, height: Int) -> (width: Int, height: Int) {
        let outputWidth = min(width, maxWidth)
        let outputHeight = max(1, (height * outputWidth + width / 2) / max(width, 1))
        return (outputWidth, outputHeight)
    }

    /// Replaces `jpeg`'s contents with `image` as a JPEG file (alpha dropped), reusing its storage.
    public func encode(_ image: PixelImage, into jpeg: inout [UInt8]) throws(MediaError) {
        if let problem = image.layoutProblem { throw .invalidImage(path: name, reason: problem) }
        let size = outputSize(width: image.width, height: image.height)
        guard size.height <= Self.largestJPEGSide else {
            throw .unsupported(path: name, reason: "a \(image.width)x\(image.height) picture would be \(size.width)x\(size.height); "
                + "JPEG takes at most \(Self.largestJPEGSide) pixels a side")
        }
        let (codec, picture) = try prepare(width: Int32(size.width), height: Int32(size.height))
        // A no-op unless the codec still holds the previous picture: then it gets a fresh buffer.
        let writable = av_frame_make_writable(picture)
        if writable < 0 { throw FFmpeg.error("preparing a picture for \(name) (av_frame_make_writable)", writable) }
        try scaler.convert(image, into: picture, name: name)
        jpeg.removeAll(keepingCapacity: true)
        try codec.encode(picture, appendingTo: &jpeg)
    }

    /// `image` as the bytes of a JPEG file.
    public func encode(_ image: PixelImage) throws(MediaError) -> [UInt8] {
        var jpeg: [UInt8] = []
        try encode(image, into: &jpeg)
        return jpeg
    }

    /// Replaces `jpeg`'s contents with `mask` as a gray JPEG: confidence 0 black, 1 white (values
    /// outside 0...1 are clamped, NaN is black).
    public func encode(_ mask: ConfidenceMask, into jpeg: inout [UInt8]) throws(MediaError) {
        guard mask.width > 0, mask.height > 0, mask.values.count == mask.width * mask.height else {
            throw .invalidImage(path: name, reason: "the mask is \(mask.width)x\(mask.height) with \(mask.values.count) values; "
                + "width and height must be at least 1 and the values width x height")
        }
        if maskImage.width != mask.width || maskImage.height != mask.height || maskImage.pixels.count != mask.values.count {
            maskImage = PixelImage(width: mask.width, height: mask.height, format: .gray)
        }
        maskImage.pixels.withUnsafeMutableBufferPointer { gray in
            mask.values.withUnsafeBufferPointer { confidences in
                for index in confidences.indices {
                    let level = confidences[index] * 255
                    gray[index] = level > 0 ? UInt8(min(level, 255) + 0.5) : 0  // NaN > 0 is false
                }
            }
        }
        try encode(maskImage, into: &jpeg)
    }

    /// `mask` as the bytes of a gray JPEG file.
    public func encode(_ mask: ConfidenceMask) throws(MediaError) -> [UInt8] {
        var jpeg: [UInt8] = []
        try encode(mask, into: &jpeg)
        return jpeg
    }

    /// The codec and picture for this output size, kept from the last call when it had the same.
    private func prepare(width: Int32, height: Int32) throws(MediaError)
        -> (PictureCodec, UnsafeMutablePointer<AVFrame>) {
        if let codec, let picture, codec.width == width, codec.height == height {
            return (codec, picture)
        }
        codec = nil
        if let picture { FrameConversion.free(picture) }
        picture = nil
        let newPicture = try FrameConversion.allocateFrame(width: width, height: height, format: Self.pixelFormat,
                                                           operation: "allocating a \(width)x\(height) picture for \(name)")
        newPicture.pointee.color_range = AVCOL_RANGE_JPEG
        picture = newPicture
        let newCodec = try PictureCodec(codecID: AV_CODEC_ID_MJPEG, width: width, height: height,
                                        pixelFormat: Self.pixelFormat, jpegQuality: quality, name: name)
        codec = newCodec
        return (newCodec, newPicture)
    }
}

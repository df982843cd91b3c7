import BackdropCore
import CFFmpeg

/// One libavcodec encoder of still pictures (PNG, or JPEG through MJPEG at a fixed quality), opened
/// for one size and pixel format, with the packet it reuses. `ImageEncoder` makes one per file;
/// `PreviewEncoder` keeps one for as long as its pictures keep their size.
///
/// Both codecs are intra-only without delay: each picture sent comes straight back as one packet,
/// so the context is never flushed and serves any number of pictures.
final class PictureCodec {
    let width: Int32
    let height: Int32
    let pixelFormat: AVPixelFormat
    private let context: UnsafeMutablePointer<AVCodecContext>
    private let packet: UnsafeMutablePointer<AVPacket>
    private let codecName: String
    private let name: String
    /// The fixed JPEG quantiser as a lambda, stamped on every picture; nil for PNG.
    private let pictureQuality: Int32?
    private var nextTimestamp: Int64 = 0

    /// `jpegQuality` (1...100, checked by the caller) applies to MJPEG only; `name` goes in errors.
    init(codecID: AVCodecID, width: Int32, height: Int32, pixelFormat: AVPixelFormat, jpegQuality: Int?,
         name: String) throws(MediaError) {
        _ = FFmpeg.quietLogging
        let codecName = String(cString: avcodec_get_name(codecID))
        guard let encoder = avcodec_find_encoder(codecID) else {
            throw .unsupported(path: name, reason: "this FFmpeg build has no \(codecName) encoder")
        }
        var newContext = avcodec_alloc_context3(encoder)
        var newPacket = av_packet_alloc()
        guard let context = newContext, let packet = newPacket else {
            avcodec_free_context(&newContext)
            av_packet_free(&newPacket)
            throw FFmpeg.error("allocating the \(codecName) encoder for \(name)", bd_averror(ENOMEM))
        }
        self.context = context
        self.packet = packet
        self.codecName = codecName
        self.name = name
        self.width = width
        self.height = height
        self.pixelFormat = pixelFormat
        // Quality 100 -> quantiser 1 (finest), 1 -> 31 (coarsest), a fixed quantiser for every picture.
        pictureQuality = jpegQuality.map { FF_QP2LAMBDA * (1 + (100 - Int32($0)) * 30 / 99) }
        // Fully initialized: if anything below throws, deinit frees the two.

        context.pointee.width = width
        context.pointee.height = height
        context.pointee.pix_fmt = pixelFormat
        context.pointee.time_base = AVRational(num: 1, den: 1)
        context.pointee.sample_aspect_ratio = AVRational(num: 1, den: 1)  // also makes MJPEG write a JFIF header
        if let pictureQuality {
            context.pointee.flags |= AV_CODEC_FLAG_QSCALE
            context.pointee.global_quality = pictureQuality
            context.pointee.qmin = 1
            context.pointee.qmax = 31
            context.pointee.color_range = AVCOL_RANGE_JPEG
        } else {
            av_opt_set(context.pointee.priv_data, "pred", "mixed", 0)  // smaller PNGs, same pixels
        }
        let opened = avcodec_open2(context, encoder, nil)
        if opened < 0 { throw FFmpeg.error("opening the \(codecName) encoder for \(name) (avcodec_open2)", opened) }
    }

    deinit {
        var context: UnsafeMutablePointer<AVCodecContext>? = context
        avcodec_free_context(&context)
        var packet: UnsafeMutablePointer<AVPacket>? = packet
        av_packet_free(&packet)
    }

    /// Encodes `frame` (this codec's size and format) and appends the picture file's bytes to `bytes`,
    /// which keeps its storage when it has the capacity.
    func encode(_ frame: UnsafeMutablePointer<AVFrame>, appendingTo bytes: inout [UInt8]) throws(MediaError) {
        frame.pointee.pts = nextTimestamp
        nextTimestamp += 1
        if let pictureQuality { frame.pointee.quality = pictureQuality }
        let sent = avcodec_send_frame(context, frame)
        if sent < 0 { throw FFmpeg.error("encoding \(name) as \(codecName) (avcodec_send_frame)", sent) }
        let start = bytes.count
        while true {
            let received = avcodec_receive_packet(context, packet)
            if received == FFmpeg.errorAgain { break }
            if received < 0 { throw FFmpeg.error("encoding \(name) as \(codecName) (avcodec_receive_packet)", received) }
            bytes.append(contentsOf: UnsafeBufferPointer(start: packet.pointee.data, count: Int(packet.pointee.size)))
            av_packet_unref(packet)
        }
        if bytes.count == start {
            throw FFmpeg.error("encoding \(name) as \(codecName): the encoder produced no data", FFmpeg.errorAgain)
        }
    }
}

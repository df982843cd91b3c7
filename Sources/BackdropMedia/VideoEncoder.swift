import BackdropCore
import CFFmpeg

/// One libavcodec video encoder for the life of a sink, with the one frame, packet and libswscale
/// context it reuses for every picture: after the first frame, encoding allocates nothing on the
/// Swift side (libavcodec allocates its packets' data).
final class VideoEncoder {
    /// What the encoder produces.
    enum Kind {
        /// libx264. `zeroLatency` drops B-frames and look-ahead (network streams); `maxBitrate`
        /// (bits/s) caps the rate with a one-second buffer, for links of limited capacity.
        case h264(crf: Int, preset: String, zeroLatency: Bool, maxBitrate: Int?)
        case ffv1
        /// Uncompressed pictures (a V4L2 device takes them as they are).
        case rawvideo
    }

    /// Timestamps go to the encoder in 90 kHz ticks: MPEG-TS's clock, and a timescale MP4 players like.
    static let timeBase = AVRational(num: 1, den: 90_000)

    let context: UnsafeMutablePointer<AVCodecContext>
    let name: String
    private let picture: UnsafeMutablePointer<AVFrame>
    private let packet: UnsafeMutablePointer<AVPacket>
    private let scaler: SinkScaler
    private var lastTimestamp: Int64?
    private var flushed = false

    /// `pixelFormat` is what the encoder takes (the scaler converts each frame to it); `fullRange`
    /// tags and converts YUV as 0...255; `globalHeader` is the muxer's AVFMT_GLOBALHEADER.
    init(kind: Kind, pixelFormat: AVPixelFormat, fullRange: Bool, width: Int, height: Int, frameRate: Double,
         globalHeader: Bool, name: String) throws(MediaError) {
        _ = FFmpeg.quietLogging
        self.name = name
        let subsampled = av_pix_fmt_desc_get(pixelFormat).map { $0.pointee.log2_chroma_w > 0 || $0.pointee.log2_chroma_h > 0 } ?? false
        guard width > 0, height > 0, width <= 16384, height <= 16384,
              !subsampled || (width % 2 == 0 && height % 2 == 0) else {
            throw .unsupported(path: name, reason: "a \(width)x\(height) video; \(kind.codecName) in \(FFmpeg.name(of: pixelFormat)) "
                + (subsampled ? "needs even width and height of at most 16384 (its chroma is half size)" : "takes 1...16384 a side"))
        }
        guard frameRate.isFinite, frameRate > 0, frameRate <= 1000 else {
            throw .unsupported(path: name, reason: "a frame rate of \(frameRate); give one in (0, 1000] frames per second")
        }
        guard let encoder = avcodec_find_encoder_by_name(kind.encoderName) else {
            throw .unsupported(path: name, reason: "this FFmpeg build has no \(kind.encoderName) encoder")
        }
        var newContext = avcodec_alloc_context3(encoder)
        var newPicture = av_frame_alloc()
        var newPacket = av_packet_alloc()
        guard let context = newContext, let picture = newPicture, let packet = newPacket else {
            avcodec_free_context(&newContext)
            av_frame_free(&newPicture)
            av_packet_free(&newPacket)
            throw FFmpeg.error("allocating the \(kind.codecName) encoder for \(name)", bd_averror(ENOMEM))
        }
        self.context = context
        self.picture = picture
        self.packet = packet
        scaler = SinkScaler(fullRangeOutput: fullRange)
        // Fully initialized: if anything below throws, deinit frees the three.

        context.pointee.width = Int32(width)
        context.pointee.height = Int32(height)
        context.pointee.pix_fmt = pixelFormat
        context.pointee.time_base = Self.timeBase
        context.pointee.framerate = av_d2q(frameRate, 100_000)
        context.pointee.sample_aspect_ratio = AVRational(num: 1, den: 1)
        // A keyframe a second: the fragment/cluster length (what a killed writer can lose) and how
        // long a viewer joining a stream waits for a picture.
        context.pointee.gop_size = Int32(max(1, frameRate.rounded()))
        if globalHeader { context.pointee.flags |= AV_CODEC_FLAG_GLOBAL_HEADER }
        let isYUV = pixelFormat != AV_PIX_FMT_GRAY8 && !(av_pix_fmt_desc_get(pixelFormat).map {
            $0.pointee.flags & UInt64(AV_PIX_FMT_FLAG_RGB) != 0 } ?? false)
        if isYUV {
            // The scaler uses BT.601; say so, or HD players would assume BT.709 and shift colours.
            context.pointee.colorspace = AVCOL_SPC_SMPTE170M
            context.pointee.color_primaries = AVCOL_PRI_SMPTE170M
            context.pointee.color_trc = AVCOL_TRC_SMPTE170M
            context.pointee.color_range = fullRange ? AVCOL_RANGE_JPEG : AVCOL_RANGE_MPEG
        }
        try configure(kind, encoder: encoder)

        let opened = avcodec_open2(context, encoder, nil)
        if opened < 0 {
            throw opened == bd_averror(EINVAL) || opened == bd_averror(ENOSYS)
                ? .unsupported(path: name, reason: "\(kind.encoderName) refused \(FFmpeg.name(of: pixelFormat)) "
                    + "\(width)x\(height) at \(frameRate) fps (\(FFmpeg.message(for: opened)))")
                : FFmpeg.error("opening the \(kind.encoderName) encoder for \(name) (avcodec_open2)", opened)
        }
        picture.pointee.width = Int32(width)
        picture.pointee.height = Int32(height)
        picture.pointee.format = pixelFormat.rawValue
        picture.pointee.color_range = context.pointee.color_range
        picture.pointee.colorspace = context.pointee.colorspace
        let buffers = av_frame_get_buffer(picture, 0)
        if buffers < 0 { throw FFmpeg.error("allocating a frame for \(name)", buffers) }
        bd_frame_zero_buffers(picture)
    }

    deinit {
        var context: UnsafeMutablePointer<AVCodecContext>? = context
        avcodec_free_context(&context)
        var picture: UnsafeMutablePointer<AVFrame>? = picture
        av_frame_free(&picture)
        var packet: UnsafeMutablePointer<AVPacket>? = packet
        av_packet_free(&packet)
    }

    private func configure(_ kind: Kind, encoder: UnsafePointer<AVCodec>) throws(MediaError) {
        switch kind {
        case let .h264(crf, preset, zeroLatency, maxBitrate):
            guard (0...51).contains(crf) else {
                throw .unsupported(path: name, reason: "crf \(crf) is outside 0...51")
            }
            // x264 prints its own complaint about an unknown preset: refuse it first.
            guard Self.x264Presets.contains(preset) else {
                throw .unsupported(path: name, reason: "\"\(preset)\" is not an x264 preset; use one of "
                    + Self.x264Presets.joined(separator: ", "))
            }
            try setOption("preset", preset)
            try setOption("crf", String(crf))
            if zeroLatency { try setOption("tune", "zerolatency") }
            if let maxBitrate {
                context.pointee.rc_max_rate = Int64(maxBitrate)
                context.pointee.rc_buffer_size = Int32(clamping: maxBitrate)
            }
        case .ffv1:
            // Version 3 with per-slice CRCs: damage stays in its slice; slices also use both cores.
            try setOption("slicecrc", "1")
            context.pointee.level = 3
            context.pointee.thread_count = 0
        case .rawvideo:
            break
        }
    }

    static let x264Presets = ["ultrafast", "superfast", "veryfast", "faster", "fast", "medium", "slow", "slower",
                              "veryslow", "placebo"]

    private func setOption(_ key: String, _ value: String) throws(MediaError) {
        let status = av_opt_set(context.pointee.priv_data, key, value, 0)
        if status < 0 {
            throw .unsupported(path: name, reason: "the encoder rejects \(key) \"\(value)\" (\(FFmpeg.message(for: status)))")
        }
    }

    /// Converts and encodes one frame (same size as the encoder), handing each finished packet to
    /// `deliver`, which must consume or unref it before returning.
    func encode(_ frame: VideoFrame, deliver: (UnsafeMutablePointer<AVPacket>) throws(MediaError) -> Void) throws(MediaError) {
        let image = frame.image
        if let problem = image.layoutProblem { throw .invalidImage(path: name, reason: problem) }
        guard image.width == Int(context.pointee.width), image.height == Int(context.pointee.height) else {
            throw .invalidImage(path: name, reason: "the frame is \(image.width)x\(image.height) but the video is "
                + "\(context.pointee.width)x\(context.pointee.height); every frame must have the size the sink was made with")
        }
        let timestamp = av_rescale_q(frame.timestampMicroseconds, AVRational(num: 1, den: 1_000_000), Self.timeBase)
        if let lastTimestamp, timestamp <= lastTimestamp {
            throw .unsupported(path: name, reason: "frame \(frame.index) at \(frame.timestampMicroseconds) µs does not come "
                + "after the previous frame (\(lastTimestamp * 1_000_000 / 90_000) µs); timestamps must increase")
        }
        // A no-op unless the encoder still holds the previous picture: then it gets a fresh buffer.
        let writable = av_frame_make_writable(picture)
        if writable < 0 { throw FFmpeg.error("preparing a frame for \(name) (av_frame_make_writable)", writable) }
        try scaler.convert(image, into: picture, name: name)
        picture.pointee.pts = timestamp
        let sent = avcodec_send_frame(context, picture)
        if sent < 0 { throw FFmpeg.error("encoding a frame for \(name) (avcodec_send_frame)", sent) }
        lastTimestamp = timestamp
        try drain(deliver)
    }

    /// Sends end-of-stream and delivers the packets the encoder still holds. Idempotent.
    func flush(deliver: (UnsafeMutablePointer<AVPacket>) throws(MediaError) -> Void) throws(MediaError) {
        if flushed { return }
        flushed = true
        let sent = avcodec_send_frame(context, nil)
        if sent < 0 && sent != FFmpeg.errorEndOfFile { throw FFmpeg.error("flushing the encoder for \(name)", sent) }
        try drain(deliver)
    }

    private func drain(_ deliver: (UnsafeMutablePointer<AVPacket>) throws(MediaError) -> Void) throws(MediaError) {
        while true {
            let received = avcodec_receive_packet(context, packet)
            if received == FFmpeg.errorAgain || received == FFmpeg.errorEndOfFile { return }
            if received < 0 { throw FFmpeg.error("encoding a frame for \(name) (avcodec_receive_packet)", received) }
            defer { av_packet_unref(packet) }
            try deliver(packet)
        }
    }
}

extension VideoEncoder.Kind {
    var encoderName: String {
        switch self {
        case .h264: "libx264"
        case .ffv1: "ffv1"
        case .rawvideo: "rawvideo"
        }
    }

    var codecName: String {
        switch self {
        case .h264: "H.264"
        case .ffv1: "FFV1"
        case .rawvideo: "raw video"
        }
    }
}

import BackdropCore
import CFFmpeg
#if canImport(Glibc)
import Glibc
#endif

/// One opened input (libavformat): the container, its best video stream and, when kept, its audio
/// stream. Closes the input on deinit, also when `init` fails part way.
final class SourceDemuxer {
    private var input: UnsafeMutablePointer<AVFormatContext>?
    private(set) var videoIndex: Int32 = -1
    private(set) var audioIndex: Int32 = -1
    /// The decoder FFmpeg picked for the video stream.
    private(set) var codec: UnsafePointer<AVCodec>?
    private let location: SourceLocation
    /// Ends blocking I/O when a network input sends nothing for `options.networkTimeout` seconds,
    /// or when a stop is requested. Outlives `input` (deinit closes the input first).
    let interrupt: SourceInterrupt

    /// libavdevice's inputs (video4linux2) exist only after this has run; once per process.
    private static let devicesRegistered: Void = { avdevice_register_all() }()

    init(_ location: SourceLocation, name: String, options: SourceOptions) throws(MediaError) {
        self.location = location
        if case .network = location {
            interrupt = SourceInterrupt(timeout: options.networkTimeout, stopRequest: options.stopRequest)
        } else {
            interrupt = SourceInterrupt(timeout: nil, stopRequest: options.stopRequest)
        }
        _ = FFmpeg.quietLogging
        var dictionary = Self.dictionary(for: location, options: options)
        defer { av_dict_free(&dictionary) }
        var format: UnsafePointer<AVInputFormat>?
        switch location {
        case .camera:
            _ = Self.devicesRegistered
            format = av_find_input_format("video4linux2")
            if format == nil {
                throw .unsupported(path: name, reason: "this FFmpeg build has no video4linux2 input (libavdevice), so it cannot read cameras")
            }
        case .imageSequence:
            format = av_find_input_format("image2")
        case .file, .network:
            break
        }

        // The callback must be in place before avformat_open_input, which blocks on a silent network input.
        input = avformat_alloc_context()
        guard let allocated = input else { throw FFmpeg.error("allocating an input for \(name)", bd_averror(ENOMEM)) }
        allocated.pointee.interrupt_callback = interrupt.callback
        interrupt.watch(allocated)
        interrupt.arm()
        let opened = avformat_open_input(&input, name, format, &dictionary)  // frees `input` when it fails
        guard opened >= 0, let container = input else {
            interrupt.watch(nil)
            throw interruption(name, while: "opening")
                ?? Self.failure(opened, "opening \(name) (avformat_open_input)", location, name)
        }
        interrupt.arm()
        let probed = avformat_find_stream_info(container, nil)
        if probed < 0 {
            throw interruption(name, while: "probing")
                ?? Self.failure(probed, "probing \(name) (avformat_find_stream_info)", location, name)
        }
        try chooseStreams(in: container, name: name, keepAudio: options.keepAudio)
    }

    deinit {
        interrupt.watch(nil)
        avformat_close_input(&input)
    }

    /// The error for I/O the interrupt callback ended (`verb`: "opening", "reading"), nil when it did not end it.
    func interruption(_ name: String, while verb: String) -> MediaError? {
        switch interrupt.reason {
        case .none: nil
        case .timedOut: .inputTimedOut(url: name, seconds: interrupt.timeoutSeconds, stage: "while \(verb) it")
        case .stopped: .interrupted(path: name, stage: "while \(verb)")
        }
    }

    var container: UnsafeMutablePointer<AVFormatContext> { input! }
    var videoStream: UnsafeMutablePointer<AVStream> { input!.pointee.streams[Int(videoIndex)]! }
    var audioStream: UnsafeMutablePointer<AVStream>? {
        audioIndex < 0 ? nil : input!.pointee.streams[Int(audioIndex)]
    }

    /// Whether frames arrive in real time by themselves and the input can stop and come back: a
    /// camera, or a network stream that cannot seek (a live stream, not a file served over HTTP).
    var isLive: Bool {
        switch location {
        case .camera: true
        case .network: input?.pointee.pb.map { $0.pointee.seekable == 0 } ?? true
        case .file, .imageSequence: false
        }
    }

    /// Frames the stream says it has (nb_frames, else its duration x rate, the video stream's own
    /// duration when known rather than the container's, which a longer audio track stretches), nil
    /// for live or unknown.
    var estimatedFrameCount: Int? {
        if isLive { return nil }
        if frameCountIsStated { return Int(videoStream.pointee.nb_frames) }
        guard let rate = frameRate else { return nil }
        let stream = videoStream.pointee
        let seconds = stream.duration > 0 && stream.duration != bd_av_nopts_value()
            ? Double(stream.duration) * av_q2d(stream.time_base)
            : Double(container.pointee.duration) / Double(AV_TIME_BASE)
        guard seconds > 0 else { return nil }
        return Int((seconds * rate).rounded())
    }

    /// Whether the container states the video's frame count (nb_frames, as mp4 and mov do) rather
    /// than leaving it to be estimated from the duration.
    var frameCountIsStated: Bool { videoStream.pointee.nb_frames > 0 }

    /// The stream's nominal rate (container or codec), nil when it states none.
    var frameRate: Double? {
        let rate = av_guess_frame_rate(container, videoStream, nil)
        return rate.num > 0 && rate.den > 0 ? Double(rate.num) / Double(rate.den) : nil
    }

    /// Clockwise degrees (0, 90, 180, 270) the picture must turn to be upright, from the display matrix.
    var rotationDegrees: Int {
        var size = 0
        guard let matrix = bd_stream_side_data(videoStream, AV_PKT_DATA_DISPLAYMATRIX, &size),
              size >= 9 * MemoryLayout<Int32>.size else { return 0 }
        let counterclockwise = matrix.withMemoryRebound(to: Int32.self, capacity: 9) { av_display_rotation_get($0) }
        guard counterclockwise.isFinite else { return 0 }
        let clockwise = Int((-counterclockwise / 90).rounded()) * 90
        return (clockwise % 360 + 360) % 360
    }

    private func chooseStreams(in container: UnsafeMutablePointer<AVFormatContext>, name: String,
                               keepAudio: Bool) throws(MediaError) {
        var codec: UnsafePointer<AVCodec>?
        let best = av_find_best_stream(container, AVMEDIA_TYPE_VIDEO, -1, -1, &codec, 0)
        if best == bd_averror_stream_not_found() {
            let found = Self.streamKinds(in: container)
            throw .notVideo(path: name, reason: found.isEmpty ? "it holds no streams" : "it has no video stream, only \(found)")
        }
        if best == bd_averror_decoder_not_found() {
            throw .unsupported(path: name, reason: Self.missingDecoder(in: container)
                + "; convert it to a common codec (H.264, VP8, VP9) with a tool that can read it")
        }
        guard best >= 0, let codec, let stream = container.pointee.streams[Int(best)] else {
            throw FFmpeg.error("choosing the video stream of \(name) (av_find_best_stream)", best)
        }
        if stream.pointee.disposition & AV_DISPOSITION_ATTACHED_PIC != 0 {
            throw .notVideo(path: name, reason: "its only picture is attached cover art")
        }
        videoIndex = best
        self.codec = codec
        if keepAudio {
            let audio = av_find_best_stream(container, AVMEDIA_TYPE_AUDIO, -1, best, nil, 0)
            if audio >= 0 { audioIndex = audio }
        }
        // The demuxer then skips the packets of every other stream instead of handing them over.
        for index in 0..<Int32(container.pointee.nb_streams) where index != videoIndex && index != audioIndex {
            container.pointee.streams[Int(index)]?.pointee.discard = AVDISCARD_ALL
        }
    }

    private static func dictionary(for location: SourceLocation, options: SourceOptions) -> OpaquePointer? {
        var dictionary: OpaquePointer?
        switch location {
        case .camera:
            let camera = options.camera
            if let width = camera.width, let height = camera.height {
                av_dict_set(&dictionary, "video_size", "\(width)x\(height)", 0)
            }
            if let rate = camera.frameRate { av_dict_set(&dictionary, "framerate", "\(rate)", 0) }
            if let format = camera.pixelFormat { av_dict_set(&dictionary, "input_format", format, 0) }
        case let .network(url):
            // The interrupt callback enforces the timeout; these socket timeouts, at twice it, are a
            // backstop for any protocol that blocks without calling it.
            let microseconds = "\(Int64(max(0.1, options.networkTimeout) * 2_000_000))"
            // rtsp has its own socket timeout; everything else goes through the generic I/O one.
            av_dict_set(&dictionary, url.lowercased().hasPrefix("rtsp") ? "timeout" : "rw_timeout", microseconds, 0)
        case .file, .imageSequence:
            break
        }
        for (key, value) in options.formatOptions { av_dict_set(&dictionary, key, value, 0) }
        return dictionary
    }

    /// Maps an FFmpeg error from opening or probing to the most useful `MediaError` for this kind of input.
    private static func failure(_ code: Int32, _ operation: String, _ location: SourceLocation,
                                _ name: String) -> MediaError {
        switch (location, code) {
        case (.camera, bd_averror(ENOENT)), (.camera, bd_averror(ENODEV)), (.camera, bd_averror(ENXIO)):
            return CameraErrors.absent(name)
        case (.camera, bd_averror(EBUSY)):
            return CameraErrors.busy(name)
        case (.camera, bd_averror(EACCES)), (.camera, bd_averror(EPERM)):
            return CameraErrors.permissionDenied(name)
        case (.camera, bd_averror(EINVAL)):
            return .deviceUnavailable(path: name, reason: "it refused the requested mode or is not a capture device; "
                + "`backdrop devices` lists the sizes, rates and formats each camera can do")
        case (.imageSequence, bd_averror(ENOENT)):
            return .notVideo(path: name, reason: "no file matches this numbered pattern "
                + "(the first file must be numbered 0 to 4 and the digits must match the pattern's width)")
        case (.file, bd_averror(ENOENT)):
            return .fileNotFound(path: name)
        case (.file, FFmpeg.errorInvalidData), (.file, FFmpeg.errorEndOfFile),
             (.imageSequence, FFmpeg.errorInvalidData), (.imageSequence, FFmpeg.errorEndOfFile):
            return .notVideo(path: name, reason: "FFmpeg could not make sense of its contents (\(FFmpeg.message(for: code))); "
                + "it may be another kind of file, or truncated or damaged")
        case (_, bd_averror_decoder_not_found()), (_, bd_averror_demuxer_not_found()),
             (_, bd_averror_protocol_not_found()), (_, bd_averror_patchwelcome()):
            return .unsupported(path: name, reason: "FFmpeg cannot read it (\(FFmpeg.message(for: code)))")
        case (.network, _):
            return .streamUnavailable(url: name, reason: "\(FFmpeg.message(for: code)) (FFmpeg error \(code) while \(operation))")
        default:
            return FFmpeg.error(operation, code)
        }
    }

    /// Which video codec FFmpeg cannot decode, by name or, when FFmpeg does not know it at all, by its tag.
    private static func missingDecoder(in container: UnsafeMutablePointer<AVFormatContext>) -> String {
        let index = av_find_best_stream(container, AVMEDIA_TYPE_VIDEO, -1, -1, nil, 0)
        guard index >= 0, let parameters = container.pointee.streams[Int(index)]?.pointee.codecpar.pointee else {
            return "this FFmpeg build has no decoder for its video"
        }
        if parameters.codec_id == AV_CODEC_ID_NONE {
            let tag = (0..<4).map { UInt8(truncatingIfNeeded: parameters.codec_tag >> ($0 * 8)) }
            let printable = tag.allSatisfy { $0 >= 0x20 && $0 < 0x7f }
            return "FFmpeg does not know its video codec (tag \(printable ? String(decoding: tag, as: UTF8.self) : "\(parameters.codec_tag)"))"
        }
        return "this FFmpeg build has no decoder for its \(String(cString: avcodec_get_name(parameters.codec_id))) video"
    }

    /// "audio", "audio and subtitles": what an input without video holds, for the error message.
    private static func streamKinds(in container: UnsafeMutablePointer<AVFormatContext>) -> String {
        var kinds: [String] = []
        for index in 0..<Int(container.pointee.nb_streams) {
            guard let type = container.pointee.streams[index]?.pointee.codecpar.pointee.codec_type,
                  let kind = av_get_media_type_string(type).map({ String(cString: $0) }),
                  !kinds.contains(kind) else { continue }
            kinds.append(kind)
        }
        return kinds.joined(separator: " and ")
    }
}

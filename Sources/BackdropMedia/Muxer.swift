import BackdropCore
import CFFmpeg

/// Where a muxer's bytes go; it decides how failures read.
enum MuxerTarget {
    /// A file written under `temporary` and later renamed to `path` (by the sink, not the muxer).
    case file(path: String, temporary: String)
    /// A network URL.
    case stream(url: String)
    /// A device libavdevice opens itself (V4L2).
    case device(path: String)

    var displayName: String {
        switch self {
        case let .file(path, _): path
        case let .stream(url): url
        case let .device(path): path
        }
    }
}

/// One libavformat output: a video stream fed by a `VideoEncoder`, optionally an audio stream
/// passed through unchanged, packets interleaved by timestamp.
///
/// An I/O failure (disk full, connection lost) is sticky: every later write and `finish()` throws
/// it again, since the output is no longer whole.
final class Muxer {
    let context: UnsafeMutablePointer<AVFormatContext>
    let target: MuxerTarget
    private var videoStream: UnsafeMutablePointer<AVStream>?
    private var audioStream: UnsafeMutablePointer<AVStream>?
    /// Reused for every audio packet: the interleaver takes our reference, the caller keeps theirs.
    private let audioPacket: UnsafeMutablePointer<AVPacket>
    private var failure: MediaError?
    private var started = false
    private var closed = false

    /// `formatName` is libavformat's muxer ("matroska", "mp4", "mpegts", "rtp_mpegts", "flv", "v4l2");
    /// `url` what it writes to.
    init(formatName: String, url: String, target: MuxerTarget) throws(MediaError) {
        _ = FFmpeg.quietLogging
        _ = Self.devicesRegistered
        self.target = target
        var allocated: UnsafeMutablePointer<AVFormatContext>?
        let status = avformat_alloc_output_context2(&allocated, nil, formatName, url)
        guard status >= 0, let context = allocated else {
            throw .unsupported(path: target.displayName, reason: "this FFmpeg build has no \(formatName) muxer "
                + "(\(FFmpeg.message(for: status)))")
        }
        guard let packet = av_packet_alloc() else {
            avformat_free_context(context)
            throw FFmpeg.error("allocating a packet for \(target.displayName)", bd_averror(ENOMEM))
        }
        self.context = context
        audioPacket = packet
        // Every packet goes to the output as soon as it is muxed: a killed writer loses at most the
        // fragment in progress, and a network viewer gets frames without waiting for a buffer to fill.
        context.pointee.flush_packets = 1
        // Bounds how long video waits for audio to interleave with (memory held, and lost on a kill)
        // when the audio stalls.
        context.pointee.max_interleave_delta = 2_000_000
    }

    deinit {
        closeOutput()
        avformat_free_context(context)
        var packet: UnsafeMutablePointer<AVPacket>? = audioPacket
        av_packet_free(&packet)
    }

    /// libavdevice's outputs (v4l2) exist only after this; once per process.
    private static let devicesRegistered: Void = { avdevice_register_all() }()

    /// Whether encoders must put codec headers in extradata (MP4, Matroska, FLV) rather than in-band (MPEG-TS).
    var needsGlobalHeader: Bool {
        context.pointee.oformat.pointee.flags & AVFMT_GLOBALHEADER != 0
    }

    var formatName: String { String(cString: context.pointee.oformat.pointee.name) }

    func addVideoStream(_ encoder: VideoEncoder) throws(MediaError) {
        guard let stream = avformat_new_stream(context, nil) else {
            throw FFmpeg.error("adding a video stream to \(target.displayName)", bd_averror(ENOMEM))
        }
        let copied = avcodec_parameters_from_context(stream.pointee.codecpar, encoder.context)
        if copied < 0 { throw FFmpeg.error("describing the video stream of \(target.displayName)", copied) }
        stream.pointee.time_base = VideoEncoder.timeBase  // a hint; the muxer may pick its own in start()
        stream.pointee.avg_frame_rate = encoder.context.pointee.framerate
        stream.pointee.r_frame_rate = encoder.context.pointee.framerate
        let supported = avformat_query_codec(context.pointee.oformat, encoder.context.pointee.codec_id, FF_COMPLIANCE_NORMAL)
        if supported == 0 {
            throw .unsupported(path: target.displayName, reason: "the \(formatName) container cannot hold "
                + "\(String(cString: avcodec_get_name(encoder.context.pointee.codec_id))) video")
        }
        videoStream = stream
    }

    func addAudioStream(_ track: AudioTrack) throws(MediaError) {
        let codecID = track.parameters.pointee.codec_id
        if avformat_query_codec(context.pointee.oformat, codecID, FF_COMPLIANCE_NORMAL) == 0 {
            throw .unsupported(path: target.displayName, reason: "the \(formatName) container cannot hold "
                + "\(track.codecName) audio; pass the video without audio or choose another container")
        }
        guard let stream = avformat_new_stream(context, nil) else {
            throw FFmpeg.error("adding an audio stream to \(target.displayName)", bd_averror(ENOMEM))
        }
        let copied = avcodec_parameters_copy(stream.pointee.codecpar, track.parameters)
        if copied < 0 { throw FFmpeg.error("describing the audio stream of \(target.displayName)", copied) }
        stream.pointee.codecpar.pointee.codec_tag = 0  // the source container's tag may mean nothing in this one
        stream.pointee.time_base = track.timeBase
        audioStream = stream
    }

    /// Opens the output (unless the muxer is a device that opens itself) and writes the header.
    /// `formatOptions` go to the muxer, `protocolOptions` to the URL protocol (udp, srt, ...).
    func start(formatOptions: [(String, String)] = [], protocolOptions: [(String, String)] = []) throws(MediaError) {
        if context.pointee.oformat.pointee.flags & AVFMT_NOFILE == 0 {
            var options = Self.dictionary(protocolOptions)
            defer { av_dict_free(&options) }
            let opened = avio_open2(&context.pointee.pb, context.pointee.url, AVIO_FLAG_WRITE, nil, &options)
            if opened < 0 { throw error(opened, "opening the output (avio_open2)") }
        }
        var options = Self.dictionary(formatOptions)
        defer { av_dict_free(&options) }
        let written = avformat_write_header(context, &options)
        if written < 0 { throw error(written, "writing the \(formatName) header (avformat_write_header)") }
        started = true
    }

    /// Writes one packet from the encoder; the muxer takes its data reference.
    func writeVideo(_ packet: UnsafeMutablePointer<AVPacket>) throws(MediaError) {
        guard let videoStream else { return }
        av_packet_rescale_ts(packet, VideoEncoder.timeBase, videoStream.pointee.time_base)
        packet.pointee.stream_index = videoStream.pointee.index
        try interleave(packet, "writing a video packet")
    }

    /// Passes one audio packet through, rescaled from its own time base to the stream's. Packets
    /// without a timestamp, or with no audio stream to go to, are dropped.
    func writeAudio(_ encoded: EncodedPacket) throws(MediaError) {
        guard let audioStream, encoded.packet.pointee.dts != bd_av_nopts_value() || encoded.packet.pointee.pts != bd_av_nopts_value()
        else { return }
        let referenced = av_packet_ref(audioPacket, encoded.packet)
        if referenced < 0 { throw FFmpeg.error("copying an audio packet for \(target.displayName)", referenced) }
        av_packet_rescale_ts(audioPacket, encoded.timeBase, audioStream.pointee.time_base)
        audioPacket.pointee.stream_index = audioStream.pointee.index
        audioPacket.pointee.pos = -1
        defer { av_packet_unref(audioPacket) }
        try interleave(audioPacket, "writing an audio packet")
    }

    private func interleave(_ packet: UnsafeMutablePointer<AVPacket>, _ operation: String) throws(MediaError) {
        if let failure { throw failure }
        guard started, !closed else { return }
        let status = av_interleaved_write_frame(context, packet)
        if status < 0 { throw error(status, "\(operation) (av_interleaved_write_frame)") }
    }

    /// Writes what the interleaver still holds and the trailer, then closes the output.
    func finish() throws(MediaError) {
        if let failure { throw failure }
        guard started, !closed else { return }
        let status = av_write_trailer(context)
        if status < 0 { throw error(status, "writing the \(formatName) trailer (av_write_trailer)") }
        guard context.pointee.pb != nil else {
            closed = true  // a device closes itself in its trailer
            return
        }
        // avio_closep's last flush can fail without saying so: ask the output first.
        avio_flush(context.pointee.pb)
        let ioError = bd_avio_error(context)
        if ioError < 0 { throw error(ioError, "flushing the output") }
        closeOutput()
    }

    /// Closes the output without a trailer: a file stays as far as it got (playable up to the last
    /// fragment), a connection is dropped. Idempotent.
    func closeOutput() {
        if closed { return }
        closed = true
        if context.pointee.oformat.pointee.flags & AVFMT_NOFILE == 0 {
            avio_closep(&context.pointee.pb)
        } else if started {
            // Devices close in their trailer; without one they would stay open until exit.
            av_write_trailer(context)
        }
    }

    /// Turns an FFmpeg failure into the `MediaError` that says what to do; I/O failures become
    /// sticky. Disk full is named as such.
    private func error(_ code: Int32, _ operation: String) -> MediaError {
        let message = FFmpeg.message(for: code)
        let result: MediaError
        switch target {
        case let .file(path, temporary):
            let io = [ENOSPC, EDQUOT, EIO, EFBIG, EROFS, EACCES, EPERM, ENOENT, ENOTDIR, EISDIR].map { bd_averror($0) }
            if code == bd_averror(ENOSPC) || code == bd_averror(EDQUOT) {
                result = .writeFailed(path: path, reason: "disk full (\(message)) while \(operation); what fitted stays "
                    + "playable up to its last complete fragment in the temporary file \(temporary) (delete it to free the space)")
            } else if io.contains(code) {
                result = .writeFailed(path: path, reason: "\(message) while \(operation) to the temporary file \(temporary)")
            } else {
                result = FFmpeg.error("\(operation) for \(path) (temporary file \(temporary))", code)
            }
        case let .stream(url):
            result = FFmpeg.error("\(operation) to \(url)\(Self.streamHint(code))", code)
        case let .device(path):
            result = FFmpeg.error("\(operation) to \(path)", code)
        }
        if bd_avio_error(context) < 0 || [ENOSPC, EPIPE, ECONNRESET].map({ bd_averror($0) }).contains(code) { failure = result }
        return result
    }

    /// What a network failure most likely means, for the error text.
    private static func streamHint(_ code: Int32) -> String {
        switch code {
        case bd_averror(ECONNREFUSED): "; nothing accepts connections there: start the server or receiver first"
        case bd_averror(ETIMEDOUT): "; no answer in time: check the host, port and firewall"
        case bd_averror(EIO), bd_averror(EPIPE), bd_averror(ECONNRESET): "; the connection broke (did the receiver leave?)"
        default: ""
        }
    }

    private static func dictionary(_ pairs: [(String, String)]) -> OpaquePointer? {
        var dictionary: OpaquePointer?
        for (key, value) in pairs { av_dict_set(&dictionary, key, value, 0) }
        return dictionary
    }
}

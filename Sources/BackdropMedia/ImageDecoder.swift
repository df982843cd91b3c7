import BackdropCore
import CFFmpeg
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Reads the first picture of a file with libavformat + libavcodec.
enum ImageDecoder {
    static func decode(_ path: String, as format: PixelFormat) throws(MediaError) -> PixelImage {
        _ = FFmpeg.quietLogging
        try checkIsFile(path)

        var input: UnsafeMutablePointer<AVFormatContext>?
        var options: OpaquePointer?
        av_dict_set(&options, "pattern_type", "none", 0)  // image2: a '%' or '*' in the name is just a character
        let opened = avformat_open_input(&input, path, nil, &options)
        av_dict_free(&options)
        guard opened >= 0, let container = input else {
            throw failure(opened, "opening \(path) (avformat_open_input)", path)
        }
        defer { avformat_close_input(&input) }

        let probed = avformat_find_stream_info(container, nil)
        if probed < 0 { throw failure(probed, "probing \(path) (avformat_find_stream_info)", path) }

        var decoder: UnsafePointer<AVCodec>?
        let streamIndex = av_find_best_stream(container, AVMEDIA_TYPE_VIDEO, -1, -1, &decoder, 0)
        if streamIndex == bd_averror_stream_not_found() {
            throw .notAnImage(path: path, reason: "it holds no picture")
        }
        guard streamIndex >= 0, let decoder, let stream = container.pointee.streams[Int(streamIndex)] else {
            let codec = firstVideoCodecName(container) ?? "its codec"
            throw streamIndex == bd_averror_decoder_not_found()
                ? .unsupported(path: path, reason: "this FFmpeg build has no decoder for \(codec)")
                : failure(streamIndex, "choosing the picture stream of \(path) (av_find_best_stream)", path)
        }

        var codecContext = avcodec_alloc_context3(decoder)
        guard let codec = codecContext else { throw FFmpeg.error("allocating a decoder for \(path)", bd_averror(ENOMEM)) }
        defer { avcodec_free_context(&codecContext) }
        let copied = avcodec_parameters_to_context(codec, stream.pointee.codecpar)
        if copied < 0 { throw failure(copied, "configuring the decoder for \(path) (avcodec_parameters_to_context)", path) }
        let ready = avcodec_open2(codec, decoder, nil)
        if ready < 0 { throw failure(ready, "opening the \(String(cString: decoder.pointee.name)) decoder for \(path)", path) }

        var frame = av_frame_alloc()
        guard let picture = frame else { throw FFmpeg.error("allocating a frame for \(path)", bd_averror(ENOMEM)) }
        defer { av_frame_free(&frame) }
        try decodeFirstPicture(container, codec, streamIndex: streamIndex, into: picture, path: path)

        guard picture.pointee.width > 0, picture.pointee.height > 0 else {
            throw .notAnImage(path: path, reason: "the decoded picture is \(picture.pointee.width)x\(picture.pointee.height)")
        }
        return try FrameConversion.pixelImage(from: picture, as: format, path: path)
    }

    /// Feeds packets of one stream to the decoder until it returns a picture, then drains it at end of file.
    private static func decodeFirstPicture(_ container: UnsafeMutablePointer<AVFormatContext>,
                                           _ codec: UnsafeMutablePointer<AVCodecContext>, streamIndex: Int32,
                                           into picture: UnsafeMutablePointer<AVFrame>, path: String) throws(MediaError) {
        var packet = av_packet_alloc()
        guard let chunk = packet else { throw FFmpeg.error("allocating a packet for \(path)", bd_averror(ENOMEM)) }
        defer { av_packet_free(&packet) }

        while true {
            let read = av_read_frame(container, chunk)
            if read == FFmpeg.errorEndOfFile { break }
            if read < 0 { throw failure(read, "reading \(path) (av_read_frame)", path) }
            defer { av_packet_unref(chunk) }
            if chunk.pointee.stream_index != streamIndex { continue }
            let sent = avcodec_send_packet(codec, chunk)
            if sent < 0 { throw failure(sent, "decoding \(path) (avcodec_send_packet)", path) }
            let received = avcodec_receive_frame(codec, picture)
            if received == 0 { return }
            if received != FFmpeg.errorAgain { throw failure(received, "decoding \(path) (avcodec_receive_frame)", path) }
        }
        let flushed = avcodec_send_packet(codec, nil)
        if flushed < 0 && flushed != FFmpeg.errorEndOfFile { throw failure(flushed, "decoding \(path) (flush)", path) }
        let received = avcodec_receive_frame(codec, picture)
        if received == 0 { return }
        if received == FFmpeg.errorEndOfFile || received == FFmpeg.errorAgain {
            throw .notAnImage(path: path, reason: "FFmpeg decoded no picture from it")
        }
        throw failure(received, "decoding \(path) (avcodec_receive_frame)", path)
    }

    /// `.fileNotFound` when nothing is at the path, `.notAnImage` for a folder.
    private static func checkIsFile(_ path: String) throws(MediaError) {
        var info = stat()
        if stat(path, &info) != 0 {
            if errno == ENOENT || errno == ENOTDIR || path.isEmpty { throw .fileNotFound(path: path) }
            return  // e.g. no permission: FFmpeg's own error says so
        }
        if info.st_mode & S_IFMT == S_IFDIR { throw .notAnImage(path: path, reason: "it is a folder") }
    }

    /// Maps an FFmpeg error code from reading to the most useful `MediaError`.
    private static func failure(_ code: Int32, _ operation: String, _ path: String) -> MediaError {
        switch code {
        case FFmpeg.errorInvalidData, FFmpeg.errorEndOfFile:
            .notAnImage(path: path, reason: "FFmpeg could not make sense of its contents (\(FFmpeg.message(for: code)))")
        case bd_averror(ENOENT):
            .fileNotFound(path: path)
        case bd_averror_decoder_not_found(), bd_averror_patchwelcome(), bd_averror(ENOSYS):
            .unsupported(path: path, reason: "FFmpeg cannot decode it (\(FFmpeg.message(for: code)))")
        default:
            FFmpeg.error(operation, code)
        }
    }

    private static func firstVideoCodecName(_ container: UnsafeMutablePointer<AVFormatContext>) -> String? {
        for index in 0..<Int(container.pointee.nb_streams) {
            guard let parameters = container.pointee.streams[index]?.pointee.codecpar,
                  parameters.pointee.codec_type == AVMEDIA_TYPE_VIDEO else { continue }
            return String(cString: avcodec_get_name(parameters.pointee.codec_id))
        }
        return nil
    }
}

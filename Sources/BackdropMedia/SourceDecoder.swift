import BackdropCore
import CFFmpeg

/// Decodes the video stream of one opened input (libavcodec), handing audio packets on and
/// skipping damaged frames. Frees the decoder on deinit, also when `init` fails part way.
final class SourceDecoder {
    let demuxer: SourceDemuxer
    private var context: UnsafeMutablePointer<AVCodecContext>?
    private var draining = false
    /// The packet in hand was refused with EAGAIN and goes to the decoder again after a receive.
    private var packetPending = false
    /// Why reading the input stopped early (nil: it reached its end).
    private(set) var inputError: Int32?

    enum Outcome {
        /// `picture` holds an undamaged frame; the caller unreferences it.
        case picture
        /// No more frames: the input ended (or failed, see `inputError`) and the decoder is drained.
        case ended
    }

    init(_ demuxer: SourceDemuxer, name: String) throws(MediaError) {
        self.demuxer = demuxer
        guard let codec = demuxer.codec else {
            throw .unsupported(path: name, reason: "FFmpeg found no decoder for its video")
        }
        context = avcodec_alloc_context3(codec)
        guard let context else { throw FFmpeg.error("allocating a decoder for \(name)", bd_averror(ENOMEM)) }
        let stream = demuxer.videoStream
        let copied = avcodec_parameters_to_context(context, stream.pointee.codecpar)
        if copied < 0 { throw FFmpeg.error("configuring the decoder for \(name) (avcodec_parameters_to_context)", copied) }
        context.pointee.pkt_timebase = stream.pointee.time_base
        // Codecs that carry checksums verify them only when asked; damage they catch is counted and
        // skipped. (H.264 reports broken slices and flags concealed frames either way; stricter
        // bitstream checks would also reject the harmless quirks of webcam MJPEG.)
        context.pointee.err_recognition |= bd_ef_crccheck()
        // Frame threads add a frame of latency per thread: fine for files, not for a camera.
        context.pointee.thread_count = 0
        if demuxer.isLive { context.pointee.thread_type = FF_THREAD_SLICE }
        let opened = avcodec_open2(context, codec, nil)
        if opened < 0 {
            throw .unsupported(path: name, reason: "the \(String(cString: codec.pointee.name)) decoder would not open "
                + "(\(FFmpeg.message(for: opened)))")
        }
    }

    deinit { avcodec_free_context(&context) }

    /// Reads and decodes until the next undamaged frame is in `picture`, passing audio packets to
    /// `audio` on the way. Damaged frames (decode errors, frames the decoder flags corrupt) are
    /// counted in `damaged` and skipped. A read error ends the input like its end does; what it
    /// means is the caller's call (see `inputError`).
    func nextPicture(into picture: UnsafeMutablePointer<AVFrame>, using packet: UnsafeMutablePointer<AVPacket>,
                     damaged: inout Int, audio: ((any MediaPacket) -> Void)?) -> Outcome {
        guard let context else { return .ended }
        let container = demuxer.container
        var failuresInARow = 0
        while true {
            let received = avcodec_receive_frame(context, picture)
            if received == 0 {
                if bd_frame_is_damaged(picture) != 0 {
                    damaged += 1
                    av_frame_unref(picture)
                    continue
                }
                return .picture
            }
            if received == FFmpeg.errorEndOfFile { return .ended }
            if received != FFmpeg.errorAgain {
                damaged += 1
                failuresInARow += 1
                // A decoder that only fails is broken, not damaged: end instead of spinning.
                if failuresInARow > 1_000 { inputError = received; return .ended }
                continue
            }
            if draining { return .ended }

            if !packetPending {
                demuxer.interrupt.arm()  // a network input may be silent this long between packets
                let read = av_read_frame(container, packet)
                if read < 0 {
                    if read != FFmpeg.errorEndOfFile { inputError = read }
                    draining = true
                    avcodec_send_packet(context, nil)
                    continue
                }
                if packet.pointee.stream_index == demuxer.audioIndex {
                    if let audio, let stream = demuxer.audioStream,
                       let encoded = EncodedPacket(referencing: packet, timeBase: stream.pointee.time_base) {
                        audio(encoded)
                    }
                    av_packet_unref(packet)
                    continue
                }
                if packet.pointee.stream_index != demuxer.videoIndex {
                    av_packet_unref(packet)
                    continue
                }
            }
            let sent = avcodec_send_packet(context, packet)
            if sent == FFmpeg.errorAgain {
                packetPending = true
                continue
            }
            packetPending = false
            av_packet_unref(packet)
            failuresInARow = 0
            if sent < 0 { damaged += 1 }
        }
    }
}

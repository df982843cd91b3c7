import CFFmpeg

/// A compressed packet (audio, for pass-through) with the time base of the stream it came from.
/// Owns its AVPacket reference and frees it on deinit.
public final class EncodedPacket: @unchecked Sendable {
    let packet: UnsafeMutablePointer<AVPacket>
    let timeBase: AVRational

    /// Takes a new reference to `source`'s data (no copy of the bytes).
    init?(referencing source: UnsafePointer<AVPacket>, timeBase: AVRational) {
        guard let packet = av_packet_alloc() else { return nil }
        guard av_packet_ref(packet, source) >= 0 else {
            var doomed: UnsafeMutablePointer<AVPacket>? = packet
            av_packet_free(&doomed)
            return nil
        }
        self.packet = packet
        self.timeBase = timeBase
    }

    deinit {
        var doomed: UnsafeMutablePointer<AVPacket>? = packet
        av_packet_free(&doomed)
    }

    /// Presentation time in microseconds (nil when the packet has none).
    public var timestampMicroseconds: Int64? {
        packet.pointee.pts == bd_av_nopts_value() ? nil
            : av_rescale_q(packet.pointee.pts, timeBase, AVRational(num: 1, den: 1_000_000))
    }
}

/// A source's audio stream, described well enough for a muxer to create the same stream.
/// Owns a copy of the codec parameters.
public final class AudioTrack: @unchecked Sendable {
    let parameters: UnsafeMutablePointer<AVCodecParameters>
    let timeBase: AVRational

    init?(copying source: UnsafePointer<AVCodecParameters>, timeBase: AVRational) {
        guard let parameters = avcodec_parameters_alloc() else { return nil }
        guard avcodec_parameters_copy(parameters, source) >= 0 else {
            var doomed: UnsafeMutablePointer<AVCodecParameters>? = parameters
            avcodec_parameters_free(&doomed)
            return nil
        }
        self.parameters = parameters
        self.timeBase = timeBase
    }

    deinit {
        var doomed: UnsafeMutablePointer<AVCodecParameters>? = parameters
        avcodec_parameters_free(&doomed)
    }

    /// The codec's name, e.g. "aac".
    public var codecName: String { String(cString: avcodec_get_name(parameters.pointee.codec_id)) }
    public var sampleRate: Int { Int(parameters.pointee.sample_rate) }
}

import BackdropCore
import CFFmpeg

/// A compressed packet (audio, for pass-through) with the time base of the stream it came from:
/// BackdropMedia's `MediaPacket`. Owns its AVPacket reference and frees it on deinit.
public final class EncodedPacket: MediaPacket, @unchecked Sendable {
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

    /// `packet` as FFmpeg's own, for a muxer. A packet from another framework's source cannot be
    /// muxed: that is a clear error naming `target`, not a silent gap in the audio.
    static func ffmpeg(_ packet: any MediaPacket, for target: String) throws(MediaError) -> EncodedPacket {
        guard let own = packet as? EncodedPacket else {
            throw .unsupported(path: target, reason: "it was handed an audio packet of type \(type(of: packet)), not one "
                + "from a BackdropMedia source, and can pass through only FFmpeg's packets; open it without audio")
        }
        return own
    }
}

/// A source's audio stream, described well enough for a muxer to create the same stream:
/// BackdropMedia's `AudioTrackDescription`. Owns a copy of the codec parameters.
public final class AudioTrack: AudioTrackDescription, @unchecked Sendable {
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

    /// `track` as FFmpeg's own, for a muxer (nil stays nil). A track another framework's source
    /// describes cannot be muxed: the sink fails to open, naming `target`, rather than dropping it.
    static func ffmpeg(_ track: (any AudioTrackDescription)?, for target: String) throws(MediaError) -> AudioTrack? {
        guard let track else { return nil }
        guard let own = track as? AudioTrack else {
            throw .unsupported(path: target, reason: "its audio track (\(track.codecName), \(track.sampleRate) Hz) comes "
                + "from a source that is not BackdropMedia's, and only FFmpeg's audio can be passed through; "
                + "open it without audio")
        }
        return own
    }
}

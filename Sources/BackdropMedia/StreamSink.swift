import BackdropCore
import CFFmpeg

/// Sends frames as a live H.264 stream: MPEG-TS over UDP (`udp://host:port`), SRT (`srt://host:port`)
/// or TCP (`tcp://host:port`), MPEG-TS in RTP (`rtp://host:port`), or FLV to an RTMP server
/// (`rtmp://host/app/key`, `rtmps://`). The protocol comes from the URL's scheme.
///
/// x264 runs with `tune=zerolatency` (no B-frames, no look-ahead: each frame leaves as soon as it is
/// encoded) and a keyframe every second, so a viewer who joins late has a picture within a second.
/// The connection (SRT, TCP, RTMP) is made at init; a send that blocks for 5 s fails.
public final class StreamSink: VideoSink {
    /// The wire format, from the URL scheme.
    public enum Format: Sendable, Equatable {
        case mpegTS
        case rtpMPEGTS
        case flv

        /// The format the URL's scheme implies, or nil for a scheme this sink does not send to.
        public init?(url: String) {
            let scheme = url.split(separator: ":", maxSplits: 1).first.map { $0.lowercased() } ?? ""
            switch scheme {
            case "udp", "srt", "tcp": self = .mpegTS
            case "rtp": self = .rtpMPEGTS
            case "rtmp", "rtmps": self = .flv
            default: return nil
            }
        }

        var muxerName: String {
            switch self {
            case .mpegTS: "mpegts"
            case .rtpMPEGTS: "rtp_mpegts"
            case .flv: "flv"
            }
        }
    }

    public let url: String
    public let format: Format
    public var name: String { url }
    public var framesWritten: Int { session.framesWritten }

    private let session: MuxerSession

    /// - Parameters:
    ///   - codec: `.h264` only (crf and preset as for files; "veryfast" or "ultrafast" keep up live).
    ///   - maxBitrate: caps the stream at this many bits per second (with a one-second buffer), for
    ///     links that cannot take x264's peaks; nil leaves the rate to crf.
    ///   - audio: a source's audio track to pass through (FLV takes AAC or MP3 only).
    public init(url: String, width: Int, height: Int, frameRate: Double, codec: VideoCodec = .standard,
                maxBitrate: Int? = nil, audio: (any AudioTrackDescription)? = nil) throws(MediaError) {
        guard let format = Format(url: url) else {
            throw .unsupported(path: url, reason: "this URL's scheme names no stream this sink sends; "
                + "use udp://, srt://, tcp://, rtp://, rtmp:// or rtmps://")
        }
        guard case let .h264(crf, preset) = codec else {
            throw .unsupported(path: url, reason: "streams carry H.264; lossless FFV1 is for .mkv files")
        }
        if let maxBitrate, maxBitrate < 1000 {
            throw .unsupported(path: url, reason: "a maximum bitrate of \(maxBitrate) bits/s is too low to carry video")
        }
        let audio = try AudioTrack.ffmpeg(audio, for: url)
        self.url = url
        self.format = format
        session = try MuxerSession(.init(
            formatName: format.muxerName, url: url, target: .stream(url: url),
            kind: .h264(crf: crf, preset: preset, zeroLatency: true, maxBitrate: maxBitrate),
            pixelFormat: AV_PIX_FMT_YUV420P, width: width, height: height, frameRate: frameRate, audio: audio,
            protocolOptions: Self.protocolOptions(for: url)))
    }

    public func write(_ frame: VideoFrame) throws(MediaError) {
        try session.write(frame)
    }

    public func writeAudio(_ packet: any MediaPacket) throws(MediaError) {
        try session.writeAudio(packet)
    }

    /// Sends what the encoder still holds, ends the stream and closes the connection. Idempotent.
    public func finish() throws(MediaError) {
        try session.finish()
    }

    private static func protocolOptions(for url: String) -> [(String, String)] {
        // A send blocked this long (a stalled server or full link) fails rather than freezing the pipeline.
        var options = [("rw_timeout", "5000000")]
        // Seven 188-byte TS packets a datagram: no TS packet split across datagrams, and under a 1500-byte MTU.
        if url.lowercased().hasPrefix("udp:") && !url.contains("pkt_size=") { options.append(("pkt_size", "1316")) }
        return options
    }
}

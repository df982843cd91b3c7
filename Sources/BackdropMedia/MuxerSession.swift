import BackdropCore
import CFFmpeg

/// The encode-and-mux core every encoding sink shares (file, network stream, virtual camera, mask
/// video): one `VideoEncoder` feeding one `Muxer`, header written at init.
final class MuxerSession {
    struct Settings {
        var formatName: String
        var url: String
        var target: MuxerTarget
        var kind: VideoEncoder.Kind
        /// What the encoder stores; frames are converted to it.
        var pixelFormat: AVPixelFormat
        var fullRange = false
        var width: Int
        var height: Int
        var frameRate: Double
        var audio: AudioTrack?
        var formatOptions: [(String, String)] = []
        var protocolOptions: [(String, String)] = []
    }

    let muxer: Muxer
    let encoder: VideoEncoder
    /// The output carries the source's audio.
    private let passesAudio: Bool
    private(set) var framesWritten = 0
    private var finished = false

    init(_ settings: Settings) throws(MediaError) {
        muxer = try Muxer(formatName: settings.formatName, url: settings.url, target: settings.target)
        encoder = try VideoEncoder(kind: settings.kind, pixelFormat: settings.pixelFormat, fullRange: settings.fullRange,
                                   width: settings.width, height: settings.height, frameRate: settings.frameRate,
                                   globalHeader: muxer.needsGlobalHeader, name: settings.target.displayName)
        try muxer.addVideoStream(encoder)
        if let audio = settings.audio { try muxer.addAudioStream(audio) }
        passesAudio = settings.audio != nil
        try muxer.start(formatOptions: settings.formatOptions, protocolOptions: settings.protocolOptions)
    }

    func write(_ frame: VideoFrame) throws(MediaError) {
        if finished {
            throw .unsupported(path: muxer.target.displayName, reason: "a frame was written after finish()")
        }
        let muxer = self.muxer
        try encoder.encode(frame) { packet throws(MediaError) in try muxer.writeVideo(packet) }
        framesWritten += 1
    }

    /// Passes `packet` through when the output has an audio stream; without one, packets are ignored.
    func writeAudio(_ packet: any MediaPacket) throws(MediaError) {
        if finished || !passesAudio { return }
        try muxer.writeAudio(EncodedPacket.ffmpeg(packet, for: muxer.target.displayName))
    }

    /// Drains the encoder, writes the trailer and closes the output. Idempotent once it succeeds.
    func finish() throws(MediaError) {
        if finished { return }
        let muxer = self.muxer
        try encoder.flush { packet throws(MediaError) in try muxer.writeVideo(packet) }
        try muxer.finish()
        finished = true
    }

    /// Closes the output as it is, without draining the encoder or writing a trailer.
    func abandon() {
        finished = true
        muxer.closeOutput()
    }
}

import BackdropCore
import BackdropMedia

/// Turns each `--output` into a sink, by its form: `-` raw frames to stdout, `/dev/videoN` a
/// virtual camera, `udp://`, `rtp://`, `srt://`, `rtmp://` a network stream, a name with `%d` and
/// .png/.jpg snapshots, anything else a video file (its extension picks the container).
enum Outputs {
    static func open(_ output: String, width: Int, height: Int, frameRate: Double, audio: (any AudioTrackDescription)?,
                     lossless: Bool) throws(MediaError) -> VideoSink {
        let lowered = output.lowercased()
        if output == "-" { return try RawFrameSink(path: "-") }
        if output.hasPrefix("/dev/video") {
            return try VirtualCameraSink(device: output, width: width, height: height, frameRate: frameRate)
        }
        if ["udp://", "rtp://", "srt://", "rtmp://", "tcp://"].contains(where: { lowered.hasPrefix($0) }) {
            return try StreamSink(url: output, width: width, height: height, frameRate: frameRate, audio: audio)
        }
        if output.contains("%"), [".png", ".jpg", ".jpeg"].contains(where: { lowered.hasSuffix($0) }) {
            return try SnapshotSink(pattern: output)
        }
        return try VideoFileSink(path: output, width: width, height: height, frameRate: frameRate,
                                 codec: lossless ? .lossless : .standard, audio: audio)
    }
}

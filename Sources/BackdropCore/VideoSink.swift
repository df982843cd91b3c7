/// Where frames go: a file, a network stream, a pipe, a virtual camera, snapshots.
///
/// The pipeline writes its output only through this protocol (and `MaskSink`), so an app can take
/// frames anywhere; BackdropMedia's sinks are FFmpeg's.
public protocol VideoSink: AnyObject {
    var name: String { get }
    /// Encodes or sends one frame. Frames arrive in increasing timestamp order.
    func write(_ frame: VideoFrame) throws(MediaError)
    /// Passes an audio packet through unchanged. A sink without audio ignores it; a sink passing
    /// audio through that cannot use a packet of this kind (one from another framework's source)
    /// throws `.unsupported` naming the sink.
    func writeAudio(_ packet: any MediaPacket) throws(MediaError)
    /// Flushes and finalizes the output (a file is moved into place only now). Idempotent.
    func finish() throws(MediaError)
    /// Ends the output of a run that failed, keeping nothing that would replace a good one: a file
    /// with no frame is deleted; one with frames is finalized (playable) under a name of its own,
    /// returned. Streams and devices just finish. Never throws: the run's error is what matters.
    func finishAfterFailure() -> String?
}

extension VideoSink {
    public func writeAudio(_ packet: any MediaPacket) throws(MediaError) {}

    public func finishAfterFailure() -> String? {
        try? finish()
        return nil
    }
}

/// Where the person mask of every output frame goes (a mask video for editors, say), written on
/// the sink thread right after the frame itself.
public protocol MaskSink: AnyObject {
    var name: String { get }
    /// Writes `mask`, the size of `frame`, at `frame`'s timestamp (with `frame`'s colour, where the
    /// sink keeps it).
    func write(_ frame: VideoFrame, mask: Mask<Float>) throws(MediaError)
    /// As `VideoSink.finish()`.
    func finish() throws(MediaError)
    /// As `VideoSink.finishAfterFailure()`.
    func finishAfterFailure() -> String?
}

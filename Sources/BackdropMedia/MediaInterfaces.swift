import BackdropCore

/// Where frames come from: a file, a network stream, a camera, an image sequence, a generator.
///
/// Pull-based: the owner of a source calls `read(into:)` from one thread at a time.
public protocol VideoSource: AnyObject {
    /// What the source is (a path, URL or device) for messages and logs.
    var name: String { get }
    /// Size of the frames `read(into:)` produces.
    var width: Int { get }
    var height: Int { get }
    /// The stream's nominal frame rate, when it states one.
    var frameRate: Double? { get }
    /// The source's audio, for a sink to pass through unchanged (nil: none, or not kept).
    var audioTrack: AudioTrack? { get }
    /// Receives the audio packets met while reading video, in stream order.
    var audioHandler: ((EncodedPacket) -> Void)? { get set }
    /// Counts of what happened so far.
    var statistics: SourceStatistics { get }

    /// Decodes the next frame into `frame`, reusing `frame.image`'s storage when its size and
    /// format already match. Returns false at the end of the stream.
    func read(into frame: inout VideoFrame) throws(MediaError) -> Bool
    /// Releases everything; reading after closing returns false.
    func close()
}

/// What a source reports about its input.
public struct SourceStatistics: Sendable, Equatable {
    public var framesDelivered = 0
    /// Frames that could not be decoded (corrupt or truncated data) and were skipped.
    public var damagedFramesSkipped = 0
    /// Times a live source was reopened after it stopped.
    public var reconnects = 0
    /// Total time a live source was gone, in microseconds.
    public var gapMicroseconds: Int64 = 0
    /// Frames the input says it holds (a file's nb_frames, else duration x rate), nil when live or unknown.
    public var framesDeclared: Int?
    /// The input ended well short of `framesDeclared` (decoded and damaged frames together more than
    /// 2 frames + 1% under a stated count, 2 + 5% under one estimated from the duration): the file
    /// looks truncated. The frames before the cut are good.
    public var endedEarly = false

    public init() {}
}

/// Where frames go: a file, a network stream, a pipe, a virtual camera, snapshots.
public protocol VideoSink: AnyObject {
    var name: String { get }
    /// Encodes or sends one frame. Frames arrive in increasing timestamp order.
    func write(_ frame: VideoFrame) throws(MediaError)
    /// Passes an audio packet through unchanged (sinks without audio ignore it).
    func writeAudio(_ packet: EncodedPacket) throws(MediaError)
    /// Flushes and finalizes the output (a file is moved into place only now). Idempotent.
    func finish() throws(MediaError)
    /// Ends the output of a run that failed, keeping nothing that would replace a good one: a file
    /// with no frame is deleted; one with frames is finalized (playable) under a name of its own,
    /// returned. Streams and devices just finish. Never throws: the run's error is what matters.
    func finishAfterFailure() -> String?
}

extension VideoSink {
    public func writeAudio(_ packet: EncodedPacket) throws(MediaError) {}

    public func finishAfterFailure() -> String? {
        try? finish()
        return nil
    }
}

/// Where frames come from: a file, a network stream, a camera, an image sequence, a generator.
///
/// The pipeline sees its input only through this protocol, so an app can feed it frames from
/// anywhere (BackdropMedia's FFmpeg sources, AVFoundation, a GStreamer appsink, a test).
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
    var audioTrack: (any AudioTrackDescription)? { get }
    /// Receives the audio packets met while reading video, in stream order.
    var audioHandler: ((any MediaPacket) -> Void)? { get set }
    /// Counts of what happened so far.
    var statistics: SourceStatistics { get }

    /// Decodes the next frame into `frame`, reusing `frame.image`'s storage when its size and
    /// format already match. Returns false at the end of the stream.
    func read(into frame: inout VideoFrame) throws(MediaError) -> Bool
    /// Releases everything; reading after closing returns false.
    func close()
}

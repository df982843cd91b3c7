/// A compressed packet (audio, for pass-through) handed from a source to the sinks unchanged.
///
/// Opaque on purpose: the pipeline only carries packets from the source thread to the sink thread;
/// what is inside is between the source and the sinks of one framework (BackdropMedia's are FFmpeg
/// packets, which only its sinks can write). A reference type, so carrying one copies no bytes.
public protocol MediaPacket: AnyObject, Sendable {
    /// Presentation time in microseconds (nil when the packet has none).
    var timestampMicroseconds: Int64? { get }
}

/// A source's audio stream, described for messages and for a sink that passes it through (a sink
/// of another framework than the source's cannot, and says so when it is opened).
public protocol AudioTrackDescription: AnyObject, Sendable {
    /// The codec's name, e.g. "aac".
    var codecName: String { get }
    var sampleRate: Int { get }
}

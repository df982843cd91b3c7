/// One decoded video frame on its way through Backdrop: pixels plus where it sits in time.
///
/// Frames are values that a running pipeline keeps in a fixed set of slots and reads into again
/// and again (a source reuses `image`'s storage when the size and format match), so it allocates
/// nothing per frame.
public struct VideoFrame: Sendable {
    public var image: PixelImage
    /// Presentation time on the stream's own clock, from its start, in microseconds; strictly
    /// increasing within one source.
    public var timestampMicroseconds: Int64
    /// Clockwise rotation the picture needs to be upright (from container metadata; phone video is
    /// often 90 or 270). The pixels are stored as decoded.
    public var rotationDegrees: Int
    /// The frame's position in its source, from 0.
    public var index: Int
    /// When the device captured the frame, on `DispatchTime`'s uptime clock (nanoseconds), when the
    /// source knows it (a V4L2 camera's buffer timestamp); 0 when it does not. Latency is measured
    /// from here, so it includes the time the frame waited in the driver's queue.
    public var captureUptimeNanoseconds: UInt64 = 0

    public init(image: PixelImage, timestampMicroseconds: Int64 = 0, rotationDegrees: Int = 0, index: Int = 0) {
        self.image = image
        self.timestampMicroseconds = timestampMicroseconds
        self.rotationDegrees = rotationDegrees
        self.index = index
    }

    /// The timestamp in milliseconds, as MediaPipe's VIDEO and LIVE_STREAM modes take it.
    public var timestampMilliseconds: Int64 { timestampMicroseconds / 1000 }
}

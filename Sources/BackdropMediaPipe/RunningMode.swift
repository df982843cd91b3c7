import CMediaPipe

/// How a task is fed, as in MediaPipe.
public enum RunningMode: Sendable, Equatable, CustomStringConvertible {
    /// Independent images; no timestamps.
    case image
    /// Decoded video frames with strictly increasing timestamps; results returned by the call.
    case video
    /// Camera-like input with strictly increasing timestamps; results delivered to a handler.
    case liveStream

    var cValue: Int32 {
        switch self {
        case .image: Int32(MP_RUNNING_MODE_IMAGE)
        case .video: Int32(MP_RUNNING_MODE_VIDEO)
        case .liveStream: Int32(MP_RUNNING_MODE_LIVE_STREAM)
        }
    }

    public var description: String {
        switch self {
        case .image: "IMAGE"
        case .video: "VIDEO"
        case .liveStream: "LIVE_STREAM"
        }
    }
}

/// A rectangle in normalized image coordinates (0...1).
public struct NormalizedRect: Sendable, Equatable {
    public var left: Float, top: Float, right: Float, bottom: Float
    public init(left: Float, top: Float, right: Float, bottom: Float) {
        self.left = left; self.top = top; self.right = right; self.bottom = bottom
    }
}

/// Per-call image processing, as in MediaPipe: a region of interest and a rotation.
///
/// The rotation (a multiple of 90, clockwise) is applied to the image before inference,
/// e.g. for phone video with rotation metadata. Not every task supports a region of interest:
/// the image segmenter rejects one with MediaPipe's own error.
public struct ImageProcessingOptions: Sendable, Equatable {
    public var regionOfInterest: NormalizedRect?
    public var rotationDegrees: Int

    public init(regionOfInterest: NormalizedRect? = nil, rotationDegrees: Int = 0) {
        self.regionOfInterest = regionOfInterest
        self.rotationDegrees = rotationDegrees
    }

    var cValue: MpImageProcessingOptions {
        var options = MpImageProcessingOptions()
        if let roi = regionOfInterest {
            options.has_region_of_interest = 1
            options.region_of_interest = MpRectF(left: roi.left, top: roi.top, bottom: roi.bottom, right: roi.right)
        }
        options.rotation_degrees = Int32(rotationDegrees)
        return options
    }
}

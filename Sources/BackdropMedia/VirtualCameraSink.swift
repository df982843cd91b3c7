import BackdropCore
import CFFmpeg
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Shows frames as a webcam other programs (browsers, call apps, OBS) can open: writes them to a
/// V4L2 output device, normally a v4l2loopback one, through libavdevice's v4l2 output (Linux only:
/// elsewhere init throws `MediaError.unsupported`).
///
/// The device's format is set at init (before any frame flows), so readers that open it early see
/// the right size. v4l2loopback is a kernel module; create a device with
/// `sudo modprobe v4l2loopback devices=1 video_nr=10 card_label=Backdrop exclusive_caps=1`
/// (`video_nr=10` makes /dev/video10; `exclusive_caps=1` makes Chrome list it as a camera).
///
/// To release the real camera while nobody watches, read it through a `ReaderGatedSource` whose
/// `isWatched` is `VirtualCameraReaders(device:).hasReaders` for this sink's device.
public final class VirtualCameraSink: VideoSink {
    /// The pixel layouts camera readers accept.
    public enum DeviceFormat: Sendable, Equatable {
        /// Planar 4:2:0 (V4L2 "YU12"): what browsers and most apps take.
        case yuv420p
        /// Packed 4:2:2 (V4L2 "YUYV"): what most real webcams send, for apps that only take that.
        case yuyv422

        var avPixelFormat: AVPixelFormat {
            switch self {
            case .yuv420p: AV_PIX_FMT_YUV420P
            case .yuyv422: AV_PIX_FMT_YUYV422
            }
        }
    }

    public static let setupHint = "sudo modprobe v4l2loopback devices=1 video_nr=10 card_label=Backdrop exclusive_caps=1"

    public let device: String
    public let deviceFormat: DeviceFormat
    public var name: String { device }
    public var framesWritten: Int { session.framesWritten }

    private let session: MuxerSession

    public init(device: String = "/dev/video10", width: Int, height: Int, frameRate: Double,
                format: DeviceFormat = .yuv420p) throws(MediaError) {
        #if !os(Linux)
        throw CameraErrors.unsupportedPlatform(device, what: "virtual cameras")  // libavdevice has v4l2 output only there
        #endif
        try Self.checkDevice(device)
        self.device = device
        deviceFormat = format
        do {
            session = try MuxerSession(.init(
                formatName: "v4l2", url: device, target: .device(path: device), kind: .rawvideo,
                pixelFormat: format.avPixelFormat, width: width, height: height, frameRate: frameRate))
        } catch let error {
            throw Self.explain(error, device: device)
        }
    }

    public func write(_ frame: VideoFrame) throws(MediaError) {
        try session.write(frame)
    }

    /// Releases the device (readers then see no more frames). Idempotent.
    public func finish() throws(MediaError) {
        try session.finish()
    }

    /// The errors a missing or wrong device gives, before libavdevice's less telling ones.
    private static func checkDevice(_ device: String) throws(MediaError) {
        var info = stat()
        if stat(device, &info) != 0 {
            let reason = errno == ENOENT
                ? "no such video device. Create a v4l2loopback one with `\(setupHint)` (video_nr=N makes /dev/videoN)"
                : "cannot inspect it (\(String(cString: strerror(errno))))"
            throw .unsupported(path: device, reason: reason)
        }
        if info.st_mode & S_IFMT != S_IFCHR {
            throw .unsupported(path: device, reason: "it is not a video device (a V4L2 device is a character device "
                + "such as /dev/video10; create one with `\(setupHint)`)")
        }
        if access(device, W_OK) != 0 {
            throw .writeFailed(path: device, reason: "no permission to write the video device (\(String(cString: strerror(errno)))); "
                + "add yourself to its group (usually `video`) or run with access to it")
        }
    }

    /// The format negotiation (the v4l2 muxer's header) fails with ENOTTY on a device that is not
    /// V4L2 at all, and with EINVAL or EBUSY on a V4L2 device that does not take output, most likely
    /// a real camera.
    private static func explain(_ error: MediaError, device: String) -> MediaError {
        guard case let .ffmpeg(operation, code, message) = error, operation.contains("header") else { return error }
        let what = code == bd_averror(ENOTTY) ? "it is not a V4L2 device"
            : "it refused an output format (\(message)); it is probably a real camera rather than a V4L2 output device"
        return .unsupported(path: device, reason: "\(what). Create a loopback device with `\(setupHint)`")
    }
}

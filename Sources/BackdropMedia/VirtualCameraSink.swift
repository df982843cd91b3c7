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
/// Readers see a steady frame rate (`frameRate`, the camera's) whatever the pipeline manages: a
/// `SteadyRateWriter` repeats the newest frame whenever a frame interval passes without a new one
/// (a slow machine, a camera unplugged for a moment). From init until the first frame it shows a
/// black picture, so the virtual camera appears to call apps at once, not after the models load.
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
    /// Frames the pipeline wrote (repeats not counted).
    public var framesWritten: Int { steady.framesWritten.fresh }
    /// Frames written again to hold the rate (including the black ones before the first frame).
    public var framesRepeated: Int { steady.framesWritten.repeated }

    private let session: MuxerSession
    private let steady: SteadyRateWriter

    public init(device: String = "/dev/video10", width: Int, height: Int, frameRate: Double,
                format: DeviceFormat = .yuv420p) throws(MediaError) {
        #if !os(Linux)
        throw CameraErrors.unsupportedPlatform(device, what: "virtual cameras")  // libavdevice has v4l2 output only there
        #endif
        try Self.checkDevice(device)
        self.device = device
        deviceFormat = format
        VirtualCameraDevices.restoreOutput(device)  // v4l2loopback 0.12, after an earlier writer
        let session: MuxerSession
        do {
            session = try MuxerSession(.init(
                formatName: "v4l2", url: device, target: .device(path: device), kind: .rawvideo,
                pixelFormat: format.avPixelFormat, width: width, height: height, frameRate: frameRate))
        } catch let error {
            throw Self.explain(error, device: device)
        }
        self.session = session
        VirtualCameraDevices.announceFrameRate(frameRate, of: device)
        steady = SteadyRateWriter(frameRate: frameRate, threadName: "backdrop.vcam") { frame throws(MediaError) in
            try session.write(frame)
        }
        do {
            try steady.write(VideoFrame(image: PixelImage(width: width, height: height, format: .rgb)), placeholder: true)  // black
        } catch {
            steady.stop()
            session.abandon()
            throw error
        }
    }

    deinit {
        steady.stop()
    }

    public func write(_ frame: VideoFrame) throws(MediaError) {
        try steady.write(frame)
    }

    /// Releases the device (readers then see no more frames), leaving it ready for the next writer.
    /// Idempotent.
    public func finish() throws(MediaError) {
        steady.stop()
        defer { VirtualCameraDevices.restoreOutput(device) }
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
    /// V4L2 at all, and with EINVAL or EBUSY on a V4L2 device that does not take output: most likely
    /// a real camera, or a v4l2loopback device another program is writing to (or that an old driver
    /// left stuck).
    private static func explain(_ error: MediaError, device: String) -> MediaError {
        guard case let .ffmpeg(operation, code, message) = error, operation.contains("header") else { return error }
        if code == bd_averror(ENOTTY) {
            return .unsupported(path: device, reason: "it is not a V4L2 device. Create a loopback device with `\(setupHint)`")
        }
        guard VirtualCameraDevices.isLoopback(path: device) else {
            return .unsupported(path: device, reason: "it refused an output format (\(message)); it is probably a real camera "
                + "rather than a V4L2 output device. Create a loopback device with `\(setupHint)`")
        }
        let holders = DeviceHolders.describe(DeviceHolders.processes(holding: device))
        return .deviceUnavailable(path: device, reason: "the virtual camera refused a new writer (\(message)). "
            + (holders.map { "It is open in \($0): if one of them writes to it, stop it first. " } ?? "")
            + "If nothing else writes to it, reset it: `sudo modprobe -r v4l2loopback && \(setupHint)`")
    }
}

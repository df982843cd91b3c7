import BackdropCore
import CFFmpeg
#if canImport(Glibc)
import Glibc
#endif

/// A v4l2loopback device: a virtual camera Backdrop can write to (`--output /dev/videoN`).
public struct VirtualCameraDevice: Sendable, Equatable {
    public var path: String
    /// The device's label (v4l2loopback's `card_label`), e.g. "Backdrop".
    public var name: String
    /// What its writer sends, while a program writes to it (readers can then stream from it); nil
    /// while it is idle.
    public var mode: CameraMode?

    public init(path: String, name: String, mode: CameraMode?) {
        self.path = path
        self.name = name
        self.mode = mode
    }
}

/// The v4l2loopback devices this machine has, and what v4l2loopback 0.12 needs around a writer.
/// Linux only: elsewhere `list()` is empty and the rest does nothing.
public enum VirtualCameraDevices {
    /// The driver name v4l2loopback reports (VIDIOC_QUERYCAP).
    static let driverName = "v4l2 loopback"

    /// Every v4l2loopback /dev/videoN, in device order.
    public static func list() -> [VirtualCameraDevice] {
        #if os(Linux)
        return CameraDevices.devicePaths().compactMap { path in
            withLoopback(path) { descriptor, capability in
                let capturing = CameraDevices.capabilities(of: capability) & UInt32(V4L2_CAP_VIDEO_CAPTURE) != 0
                return VirtualCameraDevice(path: path, name: CameraDevices.text(capability.card),
                                           mode: capturing ? CameraDevices.modes(of: descriptor).first : nil)
            }
        }
        #else
        return []
        #endif
    }

    /// Whether `path` is a v4l2loopback device.
    static func isLoopback(path: String) -> Bool {
        #if os(Linux)
        return withLoopback(path) { _, _ in true } ?? false
        #else
        return false
        #endif
    }

    /// Whether the open device is a v4l2loopback one.
    static func isLoopback(descriptor: Int32) -> Bool {
        #if os(Linux)
        return capability(of: descriptor).map { CameraDevices.text($0.driver) == driverName } ?? false
        #else
        return false
        #endif
    }

    /// Makes a v4l2loopback 0.12 device writable again when an earlier writer left it stuck.
    ///
    /// v4l2loopback 0.12.7 (Debian 12's) marks a device "ready for output" again only when a writer
    /// that started streaming with VIDIOC_STREAMON closes it. A writer that used write() instead
    /// (FFmpeg's v4l2 output, so Backdrop's, and ffmpeg's) leaves the device advertising no output
    /// capability, and the next writer's VIDIOC_G_FMT fails with EINVAL: a virtual camera could be
    /// written once per module load. An opener that calls VIDIOC_STREAMON for output becomes the
    /// driver's writer, and closing it restores output, so that is what this does, only when output is
    /// missing (0.13 and later, and a device that is fine, are left alone). Returns whether it repaired.
    @discardableResult
    static func restoreOutput(_ path: String) -> Bool {
        #if os(Linux)
        return withLoopback(path) { descriptor, capability in
            guard CameraDevices.capabilities(of: capability) & UInt32(V4L2_CAP_VIDEO_OUTPUT) == 0 else { return false }
            // The driver may refuse (no buffers to allocate) yet still take this opener as its writer.
            _ = bd_v4l2_streamon(descriptor, Int32(V4L2_BUF_TYPE_VIDEO_OUTPUT.rawValue))
            return true
        } ?? false
        #else
        return false
        #endif
    }

    /// Tells the device's readers the rate frames come at (v4l2loopback otherwise says 30 fps
    /// whatever its writer sends, and FFmpeg's v4l2 output does not set it). Best effort.
    static func announceFrameRate(_ rate: Double, of path: String) {
        #if os(Linux)
        guard rate.isFinite, rate > 0, rate <= 1_000 else { return }
        _ = withLoopback(path) { descriptor, _ in
            bd_v4l2_set_output_interval(descriptor, 1_000, UInt32((rate * 1_000).rounded()))
        }
        #endif
    }
    #if os(Linux)

    /// Runs `body` on `path` opened, when it is a v4l2loopback device; nil otherwise.
    private static func withLoopback<T>(_ path: String, _ body: (Int32, v4l2_capability) -> T) -> T? {
        let descriptor = open(path, O_RDWR | O_NONBLOCK | O_CLOEXEC)
        guard descriptor >= 0 else { return nil }
        defer { close(descriptor) }
        guard let capability = capability(of: descriptor), CameraDevices.text(capability.driver) == driverName else { return nil }
        return body(descriptor, capability)
    }

    private static func capability(of descriptor: Int32) -> v4l2_capability? {
        var capability = v4l2_capability()
        return bd_v4l2_querycap(descriptor, &capability) == 0 ? capability : nil
    }
    #endif
}

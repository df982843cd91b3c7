import BackdropCore
import CFFmpeg
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Whether anyone is watching a v4l2loopback virtual camera, from the driver's "client usage" event.
///
/// The event only fires when a reader starts or stops streaming, and a lost event would leave a
/// stale answer for good, so `refresh()` re-subscribes (the driver then re-sends the current state);
/// call it every few seconds.
public final class VirtualCameraReaders {
    public let device: String
    private let descriptor: Int32
    private var readers: UInt32 = 0

    /// Opens the device for events only (this does not make it a reader). Linux only (v4l2loopback):
    /// elsewhere it throws `MediaError.unsupported`.
    public init(device: String) throws(MediaError) {
        #if !os(Linux)
        throw CameraErrors.unsupportedPlatform(device, what: "virtual cameras")
        #else
        self.device = device
        let descriptor = open(device, O_RDWR | O_NONBLOCK | O_CLOEXEC)
        guard descriptor >= 0 else {
            throw .deviceUnavailable(path: device, reason: "cannot open it (\(String(cString: strerror(errno))))")
        }
        let subscribed = bd_v4l2loopback_subscribe_usage(descriptor)
        guard subscribed == 0 else {
            close(descriptor)
            throw .unsupported(path: device, reason: "it does not report its readers (\(String(cString: strerror(-subscribed)))); "
                               + "it needs to be a v4l2loopback device of version 0.13 or later")
        }
        self.descriptor = descriptor
        _ = take()
        #endif
    }

    deinit { close(descriptor) }

    /// True while at least one program streams from the virtual camera.
    public var hasReaders: Bool {
        _ = take()
        return readers > 0
    }

    /// Asks the driver for the current state again (see the type's note).
    public func refresh() {
        #if os(Linux)
        _ = bd_v4l2loopback_subscribe_usage(descriptor)
        #endif
        _ = take()
    }

    private func take() -> Int32 {
        #if os(Linux)
        return bd_v4l2loopback_take_usage(descriptor, &readers)
        #else
        return 0  // never reached: init throws
        #endif
    }
}

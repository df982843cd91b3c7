import BackdropCore
import CFFmpeg
import Dispatch
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Whether anyone is watching a v4l2loopback virtual camera.
///
/// v4l2loopback 0.13 and later say so with a "client usage" event. The event only fires when a
/// reader starts or stops streaming, and a lost event would leave a stale answer for good, so
/// `refresh()` re-subscribes (the driver then re-sends the current state); call it every few
/// seconds. Older drivers (0.12, Debian 12's) have no such event: then a reader is any other process
/// that has the device open (`DeviceHolders`, rescanned at most once a second), which also counts
/// a program that only looks at the device for a moment.
public final class VirtualCameraReaders {
    /// How the readers are found.
    public enum Method: Sendable, Equatable {
        /// v4l2loopback's client-usage event (0.13+).
        case usageEvents
        /// Other processes holding the device open, from /proc (v4l2loopback 0.12).
        case openHandles
    }

    public let device: String
    public let method: Method
    private let descriptor: Int32
    private var readers: UInt32 = 0
    private var scannedAt: UInt64 = 0
    private var holders = false

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
        if subscribed == 0 {
            method = .usageEvents
        } else if VirtualCameraDevices.isLoopback(descriptor: descriptor) {
            method = .openHandles
        } else {
            close(descriptor)
            throw .unsupported(path: device, reason: "it does not report its readers (\(String(cString: strerror(-subscribed)))); "
                               + "it needs to be a v4l2loopback device")
        }
        self.descriptor = descriptor
        _ = take()
        #endif
    }

    deinit { close(descriptor) }

    /// True while at least one program streams from the virtual camera (`.usageEvents`), or has it
    /// open (`.openHandles`).
    public var hasReaders: Bool {
        switch method {
        case .usageEvents:
            _ = take()
            return readers > 0
        case .openHandles:
            let now = DispatchTime.now().uptimeNanoseconds
            if scannedAt == 0 || now - scannedAt >= 1_000_000_000 {
                holders = !DeviceHolders.processes(holding: device).isEmpty
                scannedAt = now
            }
            return holders
        }
    }

    /// Asks the driver for the current state again (see the type's note); with `.openHandles`, the
    /// next `hasReaders` scans /proc again.
    public func refresh() {
        switch method {
        case .usageEvents:
            #if os(Linux)
            _ = bd_v4l2loopback_subscribe_usage(descriptor)
            #endif
            _ = take()
        case .openHandles:
            scannedAt = 0
        }
    }

    private func take() -> Int32 {
        #if os(Linux)
        guard method == .usageEvents else { return 0 }
        return bd_v4l2loopback_take_usage(descriptor, &readers)
        #else
        return 0  // never reached: init throws
        #endif
    }
}

import BackdropCore

/// The camera errors, worded once so every path that meets them says the same thing.
enum CameraErrors {
    static func absent(_ path: String) -> MediaError {
        guard CameraDevices.isSupported else { return unsupportedPlatform(path, what: "cameras") }
        return .deviceUnavailable(path: path, reason: "no camera at \(path); `backdrop devices` lists the cameras this "
            + "machine has (none shows up when no camera is plugged in or the container has no /dev/video*)")
    }

    /// Cameras and virtual cameras are V4L2 devices, which only Linux has.
    static func unsupportedPlatform(_ path: String, what: String) -> MediaError {
        .unsupported(path: path, reason: "\(what) are V4L2 devices, which only Linux has; on this platform "
            + "read a video file, a URL or an image sequence instead")
    }

    /// Names the programs that hold the camera open, where /proc shows them.
    static func busy(_ path: String) -> MediaError {
        let who = DeviceHolders.describe(DeviceHolders.processes(holding: path))
        return .deviceUnavailable(path: path, reason: "it is in use by "
            + (who.map { "another program: \($0)" } ?? "another program (a video call, a browser tab, another backdrop)")
            + "; close that program and try again")
    }

    static func permissionDenied(_ path: String) -> MediaError {
        .deviceUnavailable(path: path, reason: "permission denied; add your user to the `video` group "
            + "(`sudo usermod -aG video $USER`, then log in again)")
    }

    static func gone(_ path: String, _ code: Int32) -> MediaError {
        .deviceUnavailable(path: path, reason: "it stopped delivering frames (\(FFmpeg.message(for: code))); "
            + "it may have been unplugged. Plug it back in, or use a ReconnectPolicy to wait for it")
    }
}

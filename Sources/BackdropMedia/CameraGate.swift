import BackdropCore
import Dispatch

extension ReaderGatedSource {
    /// The V4L2 `camera` (/dev/videoN), run only while someone streams from the v4l2loopback device
    /// `virtualCamera` its frames go to: while nobody does, the camera is released (its light goes
    /// off) and the last frame repeats as a still at `idleFrameRate`.
    ///
    /// - Parameters:
    ///   - options: how the camera is opened, each time watching resumes (give it a reconnect
    ///     policy to ride out a camera that drops for a moment).
    ///   - alreadyOpen: the camera, when the caller opened it already (to read its size): used
    ///     for the first stretch instead of opening it a second time.
    /// - Throws: `.deviceUnavailable` or `.unsupported` when `virtualCamera` cannot report its readers
    ///   (it needs v4l2loopback 0.13 or later); the caller then keeps the camera on. Or the camera's
    ///   own error, when it cannot be opened.
    public convenience init(camera: String, watchedThrough virtualCamera: String, options: SourceOptions = .init(),
                            alreadyOpen: VideoSource? = nil, idleFrameRate: Double = 5) throws(MediaError) {
        let readers = try VirtualCameraReaders(device: virtualCamera)
        var refreshedAt = DispatchTime.now().uptimeNanoseconds
        var waiting = alreadyOpen
        try self.init(name: camera, idleFrameRate: idleFrameRate, isWatched: {
            // The driver's event is edge-triggered and a lost one would stick: ask again every 2 s.
            let now = DispatchTime.now().uptimeNanoseconds
            if now - refreshedAt > 2_000_000_000 {
                readers.refresh()
                refreshedAt = now
            }
            return readers.hasReaders
        }, open: { () throws(MediaError) -> VideoSource in
            if let opened = waiting {
                waiting = nil
                return opened
            }
            return try FFmpegVideoSource(url: camera, options: options)
        })
    }
}

import Foundation
import BackdropCore
import BackdropMedia
import BackdropPipeline

/// Turns `--input` into a source, and says whether it is live.
enum Inputs {
    struct Opened {
        var source: VideoSource
        var live: Bool
        var estimatedFrames: Int?
    }

    static func open(_ input: String?, realTime: Bool, synthetic frames: Int, size: PipelineConfiguration.Size?,
                     camera: CameraRequest, timeout: Double = 10, stop: StopRequest? = nil) throws(MediaError) -> Opened {
        guard let input else {
            // No input: the synthetic scene, so the tool shows itself working on any machine.
            let size = size ?? .init(width: 1280, height: 720)
            let source = try SyntheticSource(width: size.width, height: size.height, frameRate: 30, frameCount: frames,
                                             pacing: realTime ? .realTime : .asFastAsPossible)
            return Opened(source: source, live: realTime, estimatedFrames: frames)
        }
        var options = SourceOptions()
        options.pacing = realTime ? .realTime : .asFastAsPossible
        options.camera = camera
        options.networkTimeout = timeout
        options.stopRequest = stop
        let source = try FFmpegVideoSource(url: input, options: options)
        if source.isLive {
            // A live source that stops is reopened with back-off instead of ending the job.
            var live = options
            live.reconnect = ReconnectPolicy()
            source.close()
            return Opened(source: try FFmpegVideoSource(url: input, options: live), live: true, estimatedFrames: nil)
        }
        return Opened(source: source, live: realTime, estimatedFrames: source.estimatedFrameCount)
    }

    /// A camera feeding a virtual camera runs only while someone watches the virtual one: the real
    /// camera is released (its light goes off) and the last frame repeats until a reader returns.
    /// Needs v4l2loopback 0.13 or later, which reports its readers; otherwise the camera stays on.
    static func gateCamera(_ opened: Opened, input: String?, outputs: [String], camera: CameraRequest,
                           warn: (String) -> Void) -> Opened {
        guard let input, input.hasPrefix("/dev/video"), let virtual = outputs.first(where: { $0.hasPrefix("/dev/video") }) else {
            return opened
        }
        do {
            let readers = try VirtualCameraReaders(device: virtual)
            var refreshed = DispatchTime.now().uptimeNanoseconds
            var options = SourceOptions()
            options.camera = camera
            options.reconnect = ReconnectPolicy()
            let first = opened.source
            var firstOpen = true
            let gated = try ReaderGatedSource(name: input, isWatched: {
                // The driver's event is edge-triggered: ask for the state again every 2 s.
                let now = DispatchTime.now().uptimeNanoseconds
                if now - refreshed > 2_000_000_000 { readers.refresh(); refreshed = now }
                return readers.hasReaders
            }, open: { () throws(MediaError) -> VideoSource in
                if firstOpen { firstOpen = false; return first }
                return try FFmpegVideoSource(url: input, options: options)
            })
            return Opened(source: gated, live: true, estimatedFrames: nil)
        } catch {
            warn("the camera stays on while nobody watches \(virtual): \(error)")
            return opened
        }
    }
}

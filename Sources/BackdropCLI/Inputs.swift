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

    /// `options` (`sourceOptions(...)`) open a real input; the synthetic scene takes only `realTime`.
    static func open(_ input: String?, realTime: Bool, synthetic frames: Int, size: PipelineConfiguration.Size?,
                     options: SourceOptions) throws(MediaError) -> Opened {
        guard let input else {
            // No input: the synthetic scene, so the tool shows itself working on any machine.
            let size = size ?? .init(width: 1280, height: 720)
            // The demo's scenery when set-up made it: the astronaut cut out cleanly over a textured photo.
            let scenery = SyntheticSource.demoScenery
            let source = try SyntheticSource(width: size.width, height: size.height, frameRate: 30, frameCount: frames,
                                             pacing: realTime ? .realTime : .asFastAsPossible,
                                             alpha: scenery?.alpha, background: scenery?.background)
            return Opened(source: source, live: realTime, estimatedFrames: frames)
        }
        let source = try FFmpegVideoSource(url: input, options: options)
        return Opened(source: source, live: source.isLive || realTime,
                      estimatedFrames: source.isLive ? nil : source.estimatedFrameCount)
    }

    /// How `--input` is opened, the first time and each time a gated camera is opened again.
    static func sourceOptions(realTime: Bool, camera: CameraRequest, timeout: Double = 10, stop: StopRequest? = nil,
                              status: SourceStatus? = nil) -> SourceOptions {
        var options = SourceOptions()
        options.pacing = realTime ? .realTime : .asFastAsPossible
        options.camera = camera
        options.networkTimeout = timeout
        options.stopRequest = stop
        options.status = status
        // A live source that stops is reopened with back-off instead of ending the job; a file
        // ignores the policy (its end is the end), so one open serves both.
        options.reconnect = ReconnectPolicy()
        return options
    }

    /// A camera feeding a virtual camera (the first /dev/video output) runs only while someone
    /// watches the virtual one (BackdropMedia's `ReaderGatedSource(camera:watchedThrough:)`).
    /// v4l2loopback 0.13 and later report their readers; with 0.12 a reader is any other program that
    /// has the virtual camera open (`VirtualCameraReaders.Method`).
    static func gateCamera(_ opened: Opened, input: String?, outputs: [String], options: SourceOptions,
                           warn: (String) -> Void) -> Opened {
        guard let input, input.hasPrefix("/dev/video"), let virtual = outputs.first(where: { $0.hasPrefix("/dev/video") }) else {
            return opened
        }
        do {
            let gated = try ReaderGatedSource(camera: input, watchedThrough: virtual, options: options,
                                              alreadyOpen: opened.source)
            return Opened(source: gated, live: true, estimatedFrames: nil)
        } catch {
            warn("the camera stays on while nobody watches \(virtual): \(error)")
            return opened
        }
    }
}

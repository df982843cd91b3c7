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
                     camera: CameraRequest) throws(MediaError) -> Opened {
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
}

import BackdropPipeline
import ServiceLifecycle

/// Redraws the progress line four times a second while the pipeline runs: a service beside the
/// pipeline in the run's group, ended by the group's graceful shutdown (or cancellation).
struct ProgressDisplay: Service {
    let progress: Progress
    let pipeline: Pipeline

    func run() async throws {
        while !Task.isShuttingDownGracefully && !Task.isCancelled {
            progress.show(frames: pipeline.framesOutput)
            try? await Task.sleep(for: .milliseconds(250))
        }
    }
}

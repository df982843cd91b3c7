import BackdropPipeline
import Foundation
import Logging
import Synchronization

/// SIGHUP for `backdrop run`: reads the --config file again through the same parsing and checks
/// as at the start, and applies what changed in it since it was last read. Keys the pipeline can
/// change while it runs (`liveKeys`) go to `Pipeline.update`; other changed keys (input,
/// output, ...) are logged as needing a restart and kept. A bad file changes nothing and is
/// logged with the message a start with it would fail with. Without --config, SIGHUP is logged
/// and ignored.
///
/// Only what changed in the file is applied, so settings changed another way since (the studio)
/// stay unless the file changes them too; an unchanged background video keeps playing.
final class ConfigReload: Sendable {
    /// Keys a running pipeline takes (its `PipelineSettings`).
    static let liveKeys = ["effect", "blur-strength", "background", "color", "faces", "smoothing", "feather", "edge-bias", "refine-edges", "max-fps"]
    /// Of those, the keys that make the effect (a change builds a new one).
    static let effectKeys: Set<String> = ["effect", "blur-strength", "background", "color"]

    private struct State {
        /// The file as the run uses it: what was read at the start, with the changes applied since.
        var file: RunConfigFile?
        var pipeline: Pipeline?
        /// A SIGHUP came before the pipeline existed: reload once it does.
        var pending = false
    }

    private let path: String?
    private let commandLine: [String]
    private let logger: Logger
    private let state: Mutex<State>
    /// One reload at a time (two quick SIGHUPs would otherwise race to the pipeline).
    private let reloading = Mutex<Void>(())

    /// For a run whose own arguments (after `run`) are `commandLine`; reads the file as it is now,
    /// so call it as the run starts. Registers itself for `signals`' SIGHUP.
    init(_ options: ConfigFileOptions, commandLine: [String] = Array(CommandLine.arguments.dropFirst(2)),
         signals: SignalHandling, logger: Logger) {
        path = options.config
        self.commandLine = commandLine
        self.logger = logger
        // The start parsed this file a moment ago, so it reads; if not, the first reload says why.
        state = Mutex(State(file: options.config.flatMap { try? RunConfigFile(contentsOf: $0, commandLine: commandLine) }))
        signals.onReload { [self] in reload() }
    }

    /// The running pipeline, which reloads change from now on.
    func attach(_ pipeline: Pipeline) {
        let pending = state.withLock { state in
            state.pipeline = pipeline
            defer { state.pending = false }
            return state.pending
        }
        if pending { reload() }
    }

    /// Reads the file again and applies what changed (see the type's description).
    func reload() {
        guard let path else {
            logger.notice("SIGHUP ignored: this run has no --config file to read again (start it with --config FILE)")
            return
        }
        reloading.withLock { _ in
            let (previous, pipeline) = state.withLock { state in
                if state.pipeline == nil { state.pending = true }
                return (state.file, state.pipeline)
            }
            guard let pipeline else { return }
            do {
                let file = try RunConfigFile(contentsOf: path, commandLine: commandLine)
                let run = try file.parseRun(commandLine: commandLine)
                apply(file, run, since: previous, to: pipeline)
            } catch {
                let reason = (error as? RunConfigFile.Problem)?.description ?? BackdropCommand.message(for: error)
                refused(reason)
            }
        }
    }

    private func apply(_ file: RunConfigFile, _ run: Run, since previous: RunConfigFile?, to pipeline: Pipeline) {
        let before = previous?.settings ?? [:]
        let changed = Set(before.keys).union(file.settings.keys).filter { before[$0] != file.settings[$0] }.sorted()
        let live = changed.filter(Self.liveKeys.contains)
        let restart = changed.filter { !Self.liveKeys.contains($0) }
        guard !changed.isEmpty else {
            logger.info("config reloaded from \(file.path): nothing changed")
            return
        }
        if !live.isEmpty {
            do {
                var settings = pipeline.settings
                if !Self.effectKeys.isDisjoint(with: live) { settings.effect = try run.chosenEffect() }
                if live.contains("faces") { settings.faces = run.faces }
                if live.contains("smoothing") { settings.smoothing = run.smoothing }
                if live.contains("feather") { settings.featherRadius = run.feather }
                if live.contains("edge-bias") { settings.edgeBias = run.edgeBias }
                if live.contains("refine-edges") { settings.refinesEdges = run.refineEdges }
                if live.contains("max-fps") { settings.maxFPS = run.maxFPS }
                settings.faces = settings.faces || settings.effect.usesFaces  // as at the start: an effect that draws faces finds them
                let configuration = pipeline.configuration
                if settings.faces && !(configuration.loadsFaceLandmarker ?? configuration.settings.faces) {
                    refused("\(file.path): faces = true needs a restart (this run started with faces off, so the face landmarker is not loaded)")
                    return
                }
                try pipeline.update(settings)
            } catch {
                refused("\(file.path): \(error)")
                return
            }
        }
        // The file as the run now uses it: the applied keys new, the others as they were.
        var settings = before
        for key in live { settings[key] = file.settings[key] }
        state.withLock { $0.file = RunConfigFile(path: file.path, settings: settings) }

        var parts: [String] = []
        if !live.isEmpty { parts.append("applied " + live.map { describe($0, before[$0], file.settings[$0]) }.joined(separator: ", ")) }
        if !restart.isEmpty {
            parts.append("needs a restart, kept as it was: " + restart.map { describe($0, before[$0], file.settings[$0]) }.joined(separator: ", "))
        }
        logger.notice("config reloaded from \(file.path): \(parts.joined(separator: "; "))")
    }

    private func refused(_ reason: String) {
        logger.error("config reload failed, the run keeps its settings: \(reason)")
    }

    private func describe(_ key: String, _ old: RunConfigFile.Setting?, _ new: RunConfigFile.Setting?) -> String {
        "\(key) = \(new?.written ?? "(default)") (was \(old?.written ?? "(default)"))"
    }
}

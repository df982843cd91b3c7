import BackdropEffects
import Synchronization

/// One settings value as the stages use it: the value and the effect object built for it (built
/// and prepared off the frame path, in `update`). Immutable: a frame slot carries a reference to
/// the one it is processed with, so every stage sees the same settings for a given frame.
final class AppliedSettings: Sendable {
    let settings: PipelineSettings
    let frameEffect: any FrameEffect
    /// Increases with each update: the effect stage tells a new settings value by it.
    let generation: Int

    /// No effect, generation -1: what a slot carries before the source first stamps it.
    static let unset = AppliedSettings(PipelineSettings(effect: .none), frameEffect: NoEffect(), generation: -1)

    init(_ settings: PipelineSettings, frameEffect: any FrameEffect, generation: Int) {
        self.settings = settings
        self.frameEffect = frameEffect
        self.generation = generation
    }
}

/// Carries settings from `Pipeline.update` (any thread) to the source stage, which stamps each
/// frame it reads with the settings in force. An update waits here until its start frame; a newer
/// update replaces one not yet taken. The source's per-frame check is one atomic load while
/// nothing is pending (no lock, no allocation).
final class SettingsChannel: Sendable {
    private struct Pending {
        var settings: AppliedSettings
        var startFrame: Int
    }

    private let pending = Mutex<Pending?>(nil)
    private let hasPending = Atomic<Bool>(false)
    /// The latest settings asked for (applied or not), for `Pipeline.settings`.
    private let latest: Mutex<AppliedSettings>

    init(initial: AppliedSettings) {
        latest = Mutex(initial)
    }

    var latestSettings: AppliedSettings { latest.withLock { $0 } }

    /// Queues `settings` for the frames from `startFrame` on (0: the next frame read).
    func publish(_ settings: AppliedSettings, startFrame: Int) {
        pending.withLock { pending in
            latest.withLock { $0 = settings }
            pending = Pending(settings: settings, startFrame: startFrame)
            hasPending.store(true, ordering: .releasing)
        }
    }

    /// The new settings for the frame with `index`, when an update is due at it; nil otherwise.
    func take(forFrame index: Int) -> AppliedSettings? {
        guard hasPending.load(ordering: .acquiring) else { return nil }
        return pending.withLock { pending in
            guard let due = pending, index >= due.startFrame else { return nil }
            pending = nil
            hasPending.store(false, ordering: .releasing)
            return due.settings
        }
    }
}

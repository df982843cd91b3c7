import BackdropCore
import BackdropEffects
import BackdropPipeline
import Synchronization

/// Turns studio settings changes into `Pipeline.update(...)` calls, one at a time, and describes the
/// pipeline's settings back as ``StudioSettings`` (also after a change made elsewhere, such as a
/// config-file reload, which the next read picks up).
final class SettingsController: Sendable {
    private struct State {
        var described: StudioSettings
        /// The pipeline settings `described` was made from.
        var basis: PipelineSettings
        /// The store id of the replace effect's image, when the studio chose it.
        var backgroundID: String?
    }

    private let pipeline: Pipeline
    private let backgrounds: BackgroundStore
    private let state: Mutex<State>
    /// Told every applied change (the page's event stream).
    private let onChange: @Sendable (StudioSettings) -> Void

    init(pipeline: Pipeline, backgrounds: BackgroundStore, initialBackgroundID: String?,
         onChange: @escaping @Sendable (StudioSettings) -> Void) {
        self.pipeline = pipeline
        self.backgrounds = backgrounds
        self.onChange = onChange
        let settings = pipeline.settings
        state = Mutex(State(described: StudioSettings(describing: settings, previous: nil, backgroundID: initialBackgroundID),
                            basis: settings, backgroundID: initialBackgroundID))
    }

    /// The settings in force now.
    var current: StudioSettings {
        let settings = pipeline.settings
        return state.withLock { state in
            if state.basis != settings {  // changed elsewhere since
                let keepsBackground = state.basis.effect == settings.effect
                state.backgroundID = keepsBackground ? state.backgroundID : nil
                state.described = StudioSettings(describing: settings, previous: state.described, backgroundID: state.backgroundID)
                state.basis = settings
            }
            return state.described
        }
    }

    /// Applies `patch` to the settings in force; on a rejection nothing changes.
    func apply(_ patch: SettingsPatch) -> Result<StudioSettings, SettingsRejection> {
        let before = current
        let wanted = patch.applied(to: before)
        let result: Result<StudioSettings, SettingsRejection> = state.withLock { state in
            var settings = pipeline.settings
            if Self.effectChanged(from: before, to: wanted) {
                switch effect(for: wanted) {
                case .success(let effect): settings.effect = effect
                case .failure(let rejection): return .failure(rejection)
                }
            }
            settings.hiding = wanted.hideFaces.style.map {
                FaceHiding(style: $0, keepMain: wanted.keepMain, holdFrames: settings.hiding?.holdFrames ?? FaceHiding.defaultHoldFrames)
            }
            // Framing turned on keeps the parameters it ran with (or takes the defaults), and needs faces.
            settings.framing = wanted.framing ? (settings.framing ?? Framing()) : nil
            settings.faces = wanted.faces || settings.effect.usesFaces || settings.hiding != nil || wanted.framing
            settings.smoothing = wanted.smoothing
            settings.featherRadius = wanted.feather
            settings.maxFPS = wanted.maxFPS
            do {
                try pipeline.update(settings)
            } catch {
                return .failure(SettingsRejection(message: "the pipeline refused these settings: \(error)"))
            }
            state.backgroundID = wanted.effect == .replace ? wanted.background : state.backgroundID
            state.described = StudioSettings(describing: settings, previous: wanted, backgroundID: state.backgroundID)
            state.basis = settings
            return .success(state.described)
        }
        if case .success(let applied) = result { onChange(applied) }
        return result
    }

    private static func effectChanged(from old: StudioSettings, to new: StudioSettings) -> Bool {
        switch new.effect {
        case .blur: old.effect != .blur || old.blurStrength != new.blurStrength
        case .replace: old.effect != .replace || old.background != new.background
        case .color: old.effect != .color || old.color != new.color
        default: old.effect != new.effect
        }
    }

    private func effect(for settings: StudioSettings) -> Result<Effect, SettingsRejection> {
        switch settings.effect {
        case .none: return .success(.none)
        case .blur: return .success(.blur(strength: settings.blurStrength))
        case .replace:
            guard let id = settings.background else {
                return .failure(SettingsRejection(message: "some settings are invalid; nothing was changed",
                                                  fields: ["background": "the replace effect needs a background: upload one or pick one"]))
            }
            do throws(BackgroundStore.Failure) {
                return .success(.replace(try backgrounds.image(id)))
            } catch {
                return .failure(SettingsRejection(message: "some settings are invalid; nothing was changed",
                                                  fields: ["background": error.description]))
            }
        case .color:
            let rgb = RGBHex.parse(settings.color) ?? (0x1E, 0x90, 0xFF)
            return .success(.color(red: rgb.red, green: rgb.green, blue: rgb.blue))
        case .greenScreen: return .success(.greenScreen)
        case .mask: return .success(.maskOverlay)
        case .landmarks: return .success(.landmarks(.points))
        case .mesh: return .success(.landmarks(.mesh))
        case .custom:
            return .failure(SettingsRejection(message: "some settings are invalid; nothing was changed",
                                              fields: ["effect": "custom effects are set by the app, not the studio"]))
        }
    }
}

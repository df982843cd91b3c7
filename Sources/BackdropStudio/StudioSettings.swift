import BackdropCore
import BackdropEffects
import BackdropPipeline

/// The settings as the page and the API see them (`GET /api/state`'s "settings", the answer to
/// `PATCH /api/settings`): every value `Pipeline.update(...)` takes, named, with the ones the current
/// effect does not use remembered (switching blur -> colour -> blur keeps the blur strength).
public struct StudioSettings: Sendable, Equatable, Codable, CustomStringConvertible {
    /// The effect's name, one of ``EffectName``.
    public var effect: EffectName
    public var blurStrength: Int
    /// The background image's id in the studio's store (``BackgroundStore``), for `replace`.
    @JSONNullable public var background: String?
    /// Background colour for `color`, as RRGGBB.
    public var color: String
    public var faces: Bool
    /// `off`, `blur` or `pixelate` (``FaceHiding/Style``).
    public var hideFaces: HideFaces
    /// With hiding on: the main face is left as it is.
    public var keepMain: Bool
    public var smoothing: Bool
    public var feather: Int
    /// Frames per second at most (nil: the mode's default).
    @JSONNullable public var maxFPS: Double?
    /// Auto-framing on (with the run's framing parameters, or the defaults) or off.
    public var framing: Bool

    /// The effects the studio can switch between (a library app's `.custom` effect shows as `custom`
    /// and can be switched away from, not back to).
    public enum EffectName: String, Sendable, CaseIterable, Codable {
        case none, blur, replace, color, greenScreen = "green-screen", mask, landmarks, mesh, custom
    }

    public enum HideFaces: String, Sendable, CaseIterable, Codable {
        case off, blur, pixelate

        init(_ hiding: FaceHiding?) {
            self = switch hiding?.style { case nil: .off; case .blur: .blur; case .pixelate: .pixelate }
        }
        var style: FaceHiding.Style? {
            switch self { case .off: nil; case .blur: .blur; case .pixelate: .pixelate }
        }
    }

    enum CodingKeys: String, CodingKey {
        case effect
        case blurStrength = "blur_strength"
        case background, color, faces, smoothing, feather
        case hideFaces = "hide_faces", keepMain = "keep_main"
        case maxFPS = "max_fps"
        case framing
    }

    public init(effect: EffectName, blurStrength: Int, background: String?, color: String, faces: Bool,
                smoothing: Bool, feather: Int, maxFPS: Double?, hideFaces: HideFaces = .off, keepMain: Bool = false,
                framing: Bool = false) {
        self.effect = effect
        self.blurStrength = blurStrength
        self.background = background
        self.color = color
        self.faces = faces
        self.hideFaces = hideFaces
        self.keepMain = keepMain
        self.smoothing = smoothing
        self.feather = feather
        self.maxFPS = maxFPS
        self.framing = framing
    }

    /// Describes `settings`, taking what they do not say (the blur strength while the effect is a
    /// colour, the background's id) from `previous`. `backgroundID` names the replace effect's image.
    public init(describing settings: PipelineSettings, previous: StudioSettings?, backgroundID: String?) {
        var described = previous ?? StudioSettings(
            effect: .blur, blurStrength: Effect.defaultBlurStrength, background: nil, color: "1E90FF",
            faces: settings.faces, smoothing: settings.smoothing, feather: settings.featherRadius, maxFPS: settings.maxFPS)
        switch settings.effect {
        case .none: described.effect = .none
        case .blur(let strength):
            described.effect = .blur
            described.blurStrength = strength
        case .replace:
            described.effect = .replace
            described.background = backgroundID
        case .color(let red, let green, let blue):
            described.effect = .color
            described.color = RGBHex.format(red: red, green: green, blue: blue)
        case .greenScreen: described.effect = .greenScreen
        case .maskOverlay: described.effect = .mask
        case .landmarks(let style): described.effect = style == .mesh ? .mesh : .landmarks
        case .custom: described.effect = .custom
        }
        described.faces = settings.faces
        described.hideFaces = HideFaces(settings.hiding)
        described.keepMain = settings.hiding?.keepMain ?? described.keepMain
        described.smoothing = settings.smoothing
        described.feather = settings.featherRadius
        described.maxFPS = settings.maxFPS
        described.framing = settings.framing != nil
        self = described
    }

    /// The settings in force, as a log line says them: the effect with its own parameter, then the rest.
    public var description: String {
        let parameter = switch effect {
        case .blur: " strength \(blurStrength)"
        case .replace: " background \(background ?? "none")"
        case .color: " #\(color)"
        default: ""
        }
        return "effect \(effect.rawValue)\(parameter), faces \(faces ? "on" : "off"), hide faces \(hideFaces.rawValue)\(keepMain && hideFaces != .off ? " (main kept)" : ""), smoothing \(smoothing ? "on" : "off"), "
            + "feather \(feather), max fps \(maxFPS.map { "\($0)" } ?? "default"), framing \(framing ? "auto" : "off")"
    }

}

/// RRGGBB colour text, both ways.
public enum RGBHex {
    public static func format(red: UInt8, green: UInt8, blue: UInt8) -> String {
        let digits = Array("0123456789ABCDEF")
        return String([red, green, blue].flatMap { [digits[Int($0 >> 4)], digits[Int($0 & 15)]] })
    }

    /// The colour of `text` (RRGGBB or #RRGGBB), or nil when it is not one.
    public static func parse(_ text: String) -> (red: UInt8, green: UInt8, blue: UInt8)? {
        let hex = text.hasPrefix("#") ? String(text.dropFirst()) : text
        guard hex.count == 6, hex.allSatisfy(\.isHexDigit), let value = UInt32(hex, radix: 16) else { return nil }
        return (UInt8(value >> 16), UInt8((value >> 8) & 0xFF), UInt8(value & 0xFF))
    }
}

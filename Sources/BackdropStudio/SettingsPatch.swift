import BackdropPipeline
import Foundation

/// A `PATCH /api/settings` body, checked field by field: either every field is good and the patch
/// applies to the current ``StudioSettings``, or ``SettingsRejection`` names each bad field and
/// nothing changes.
public struct SettingsPatch: Sendable, Equatable {
    public var effect: StudioSettings.EffectName?
    public var blurStrength: Int?
    /// Some(nil) clears the background.
    public var background: String??
    public var color: String?
    public var faces: Bool?
    public var hideFaces: StudioSettings.HideFaces?
    public var keepMain: Bool?
    public var smoothing: Bool?
    public var feather: Int?
    /// Some(nil) returns to the mode's default rate.
    public var maxFPS: Double??
    public var framing: Bool?

    public init() {}

    /// Parses and checks a JSON object. `backgroundExists` says whether an id is in the store.
    public static func parse(json body: some Collection<UInt8>, backgroundExists: (String) -> Bool)
        -> Result<SettingsPatch, SettingsRejection> {
        let object: [String: JSONValue]
        do {
            object = try JSONDecoder().decode([String: JSONValue].self, from: Data(body))
        } catch {
            return .failure(SettingsRejection(message: "the body is not a JSON object: send {\"effect\": \"blur\", ...}"))
        }
        var patch = SettingsPatch()
        var fields: [String: String] = [:]
        for (key, value) in object {
            switch key {
            case "effect":
                let names = StudioSettings.EffectName.allCases.filter { $0 != .custom }.map(\.rawValue)
                if case .string(let name) = value, let effect = StudioSettings.EffectName(rawValue: name), effect != .custom {
                    patch.effect = effect
                } else {
                    fields[key] = "must be one of \(names.joined(separator: ", "))"
                }
            case "blur_strength":
                patch.blurStrength = integer(value, in: PipelineSettings.blurStrengthRange, key, "pixels", &fields)
            case "feather":
                patch.feather = integer(value, in: PipelineSettings.featherRange, key, "pixels", &fields)
            case "background":
                switch value {
                case .null: patch.background = .some(nil)
                case .string(let id) where backgroundExists(id): patch.background = .some(id)
                case .string: fields[key] = "no background has this id: upload one (POST /api/backgrounds) or pick one from GET /api/backgrounds"
                default: fields[key] = "must be a background id (a string) or null"
                }
            case "color":
                if case .string(let text) = value, RGBHex.parse(text) != nil {
                    patch.color = RGBHex.parse(text).map { RGBHex.format(red: $0.red, green: $0.green, blue: $0.blue) }
                } else {
                    fields[key] = "must be a colour as RRGGBB hex, e.g. \"1E90FF\""
                }
            case "faces":
                if case .bool(let on) = value { patch.faces = on } else { fields[key] = "must be true or false" }
            case "hide_faces":
                if case .string(let name) = value, let choice = StudioSettings.HideFaces(rawValue: name) {
                    patch.hideFaces = choice
                } else {
                    fields[key] = "must be one of \(StudioSettings.HideFaces.allCases.map(\.rawValue).joined(separator: ", "))"
                }
            case "keep_main":
                if case .bool(let on) = value { patch.keepMain = on } else { fields[key] = "must be true or false" }
            case "smoothing":
                if case .bool(let on) = value { patch.smoothing = on } else { fields[key] = "must be true or false" }
            case "framing":
                if case .bool(let on) = value { patch.framing = on } else { fields[key] = "must be true or false" }
            case "max_fps":
                let range = PipelineSettings.maxFPSRange
                switch value {
                case .null: patch.maxFPS = .some(nil)
                case .number(let rate) where range.contains(rate): patch.maxFPS = .some(rate)
                default: fields[key] = "must be a number of frames per second in \(range.lowerBound)...\(range.upperBound), or null for the default"
                }
            default:
                fields[key] = "is not a setting: use effect, blur_strength, background, color, faces, hide_faces, keep_main, smoothing, feather, max_fps, framing"
            }
        }
        if !fields.isEmpty { return .failure(SettingsRejection(message: "some settings are invalid; nothing was changed", fields: fields)) }
        return .success(patch)
    }

    /// `settings` with this patch's fields replaced.
    public func applied(to settings: StudioSettings) -> StudioSettings {
        var changed = settings
        if let effect { changed.effect = effect }
        if let blurStrength { changed.blurStrength = blurStrength }
        if let background { changed.background = background }
        if let color { changed.color = color }
        if let faces { changed.faces = faces }
        if let hideFaces { changed.hideFaces = hideFaces }
        if let keepMain { changed.keepMain = keepMain }
        if let smoothing { changed.smoothing = smoothing }
        if let feather { changed.feather = feather }
        if let maxFPS { changed.maxFPS = maxFPS }
        if let framing { changed.framing = framing }
        return changed
    }

    private static func integer(_ value: JSONValue, in range: ClosedRange<Int>, _ key: String, _ unit: String,
                                _ fields: inout [String: String]) -> Int? {
        if case .number(let number) = value, number.rounded() == number, let integer = Int(exactly: number), range.contains(integer) {
            return integer
        }
        fields[key] = "must be a whole number of \(unit) in \(range.lowerBound)...\(range.upperBound)"
        return nil
    }
}

/// Why a settings change was refused: a message, and for each bad field why (the 400's JSON body).
public struct SettingsRejection: Error, Sendable, Equatable, Codable {
    public var message: String
    public var fields: [String: String]

    public init(message: String, fields: [String: String] = [:]) {
        self.message = message
        self.fields = fields
    }

    enum CodingKeys: String, CodingKey {
        case message = "error"
        case fields
    }
}

/// Any JSON value, so a body's fields can be type-checked one by one (JSONDecoder into a struct
/// stops at the first bad field and cannot name the others).
enum JSONValue: Decodable, Equatable {
    case null
    case bool(Bool)
    case number(Double)
    case string(String)
    case array([JSONValue])
    case object([String: JSONValue])

    init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if container.decodeNil() { self = .null }
        else if let bool = try? container.decode(Bool.self) { self = .bool(bool) }
        else if let number = try? container.decode(Double.self) { self = .number(number) }
        else if let string = try? container.decode(String.self) { self = .string(string) }
        else if let array = try? container.decode([JSONValue].self) { self = .array(array) }
        else { self = .object(try container.decode([String: JSONValue].self)) }
    }
}

import BackdropCore
import BackdropPipeline

/// `GET /api/state`: everything the page shows at load, in one JSON object.
struct StudioState: Encodable {
    struct Run: Encodable {
        var input: String
        var outputs: [String]
        var live: Bool
        var width: Int
        var height: Int
        var uptimeSeconds: Double
        var finished: Bool

        init(_ description: RunDescription, uptimeSeconds: Double, finished: Bool) {
            input = description.input
            outputs = description.outputs
            live = description.live
            width = description.width
            height = description.height
            self.uptimeSeconds = (uptimeSeconds * 10).rounded() / 10
            self.finished = finished
        }

        enum CodingKeys: String, CodingKey {
            case input, outputs, live, width, height, finished
            case uptimeSeconds = "uptime_seconds"
        }
    }

    enum CodingKeys: String, CodingKey {
        case settings, run, latest, summary, health, backgrounds, effects, limits
        case facesAvailable = "faces_available"
    }

    struct Limits: Encodable {
        var blurStrength = [PipelineSettings.blurStrengthRange.lowerBound, PipelineSettings.blurStrengthRange.upperBound]
        var feather = [PipelineSettings.featherRange.lowerBound, PipelineSettings.featherRange.upperBound]
        var maxFPS = [PipelineSettings.maxFPSRange.lowerBound, PipelineSettings.maxFPSRange.upperBound]

        enum CodingKeys: String, CodingKey {
            case blurStrength = "blur_strength"
            case feather
            case maxFPS = "max_fps"
        }
    }

    var settings: StudioSettings
    var run: Run
    @JSONNullable var latest: TelemetrySample?
    @JSONNullable var summary: TelemetrySnapshot?
    var health: Health
    var backgrounds: [BackgroundStore.Entry]
    /// Whether faces can be turned on (the run loaded the face landmarker).
    var facesAvailable: Bool
    var effects = StudioSettings.EffectName.allCases.filter { $0 != .custom }.map(\.rawValue)
    var limits = Limits()
}

/// Whether frames flow (`/healthz`): ok, or the reason they do not.
public struct Health: Sendable, Equatable, Codable {
    /// "ok" or "unhealthy".
    public var status: String
    public var ok: Bool
    @JSONNullable public var reason: String?
    public var framesOutput: Int
    /// Rounded to 0.1 s.
    public var secondsSinceLastFrame: Double

    public init(reason: String?, framesOutput: Int, secondsSinceLastFrame: Double) {
        ok = reason == nil
        status = ok ? "ok" : "unhealthy"
        self.reason = reason
        self.framesOutput = framesOutput
        self.secondsSinceLastFrame = (secondsSinceLastFrame * 10).rounded() / 10
    }

    enum CodingKeys: String, CodingKey {
        case status, ok, reason
        case framesOutput = "frames_output"
        case secondsSinceLastFrame = "seconds_since_last_frame"
    }
}

import BackdropPipeline

/// `GET /api/state`: everything the page shows at load, in one JSON object.
struct StudioState: Encodable {
    struct Run: Encodable {
        var description: RunDescription
        var uptimeSeconds: Double
        var finished: Bool

        func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(description.input, forKey: .input)
            try container.encode(description.outputs, forKey: .outputs)
            try container.encode(description.live, forKey: .live)
            try container.encode(description.width, forKey: .width)
            try container.encode(description.height, forKey: .height)
            try container.encode(uptimeSeconds, forKey: .uptimeSeconds)
            try container.encode(finished, forKey: .finished)
        }

        enum CodingKeys: String, CodingKey {
            case input, outputs, live, width, height, finished
            case uptimeSeconds = "uptime_seconds"
        }
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
    var latest: TelemetrySample?
    var summary: TelemetrySnapshot?
    var health: Health
    var backgrounds: [BackgroundStore.Entry]
    var effects = StudioSettings.EffectName.allCases.filter { $0 != .custom }.map(\.rawValue)
    var limits = Limits()

    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(settings, forKey: .settings)
        try container.encode(run, forKey: .run)
        try container.encode(latest, forKey: .latest)
        try container.encode(summary, forKey: .summary)
        try container.encode(health, forKey: .health)
        try container.encode(backgrounds, forKey: .backgrounds)
        try container.encode(effects, forKey: .effects)
        try container.encode(limits, forKey: .limits)
    }

    enum CodingKeys: String, CodingKey { case settings, run, latest, summary, health, backgrounds, effects, limits }
}

/// Whether frames flow (`/healthz`): ok, or the reason they do not.
public struct Health: Sendable, Equatable, Encodable {
    public var ok: Bool
    public var reason: String?
    public var framesOutput: Int
    public var secondsSinceLastFrame: Double

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(ok ? "ok" : "unhealthy", forKey: .status)
        try container.encode(ok, forKey: .ok)
        try container.encode(reason, forKey: .reason)
        try container.encode(framesOutput, forKey: .framesOutput)
        try container.encode((secondsSinceLastFrame * 10).rounded() / 10, forKey: .secondsSinceLastFrame)
    }

    enum CodingKeys: String, CodingKey {
        case status, ok, reason
        case framesOutput = "frames_output"
        case secondsSinceLastFrame = "seconds_since_last_frame"
    }
}

/// How the studio serves a run: where it listens, who may use it, how the preview is made.
public struct StudioConfiguration: Sendable {
    public var address: ListenAddress
    /// The secret every request must carry (header `Authorization: Bearer TOKEN`, or the cookie
    /// the login form sets). Required for an address other machines can reach.
    public var token: String?
    /// Preview frames are scaled down to at most this width.
    public var previewMaxWidth: Int
    /// JPEG quality of preview frames (1...100).
    public var previewQuality: Int
    /// `/healthz` fails when no frame has been output for this long.
    public var healthTimeout: Duration
    /// Seconds of chart history kept (one sample a second).
    public var historySeconds: Int
    /// What the page says about the run.
    public var run: RunDescription

    /// The shortest token accepted: guessing it must be out of reach.
    public static let minimumTokenLength = 16

    public init(address: ListenAddress = ListenAddress(), token: String? = nil, previewMaxWidth: Int = 640,
                previewQuality: Int = 70, healthTimeout: Duration = .seconds(5), historySeconds: Int = 600,
                run: RunDescription = RunDescription()) {
        self.address = address
        self.token = token
        self.previewMaxWidth = previewMaxWidth
        self.previewQuality = previewQuality
        self.healthTimeout = healthTimeout
        self.historySeconds = historySeconds
        self.run = run
    }

    /// Why this configuration must not start, or nil: a reachable address needs a strong token.
    public var securityProblem: String? {
        if let token, token.count < Self.minimumTokenLength {
            return "the token is \(token.count) characters: use at least \(Self.minimumTokenLength) (e.g. `openssl rand -hex 16`)"
        }
        if !address.isLoopback && token == nil {
            return "\(address) can be reached from other machines: give --token SECRET (every request must then carry it), "
                + "or serve on 127.0.0.1 (the default)"
        }
        return nil
    }
}

/// The run the studio serves, as the page shows it.
public struct RunDescription: Sendable, Equatable, Codable {
    public var input: String
    public var outputs: [String]
    public var live: Bool
    public var width: Int
    public var height: Int

    public init(input: String = "", outputs: [String] = [], live: Bool = false, width: Int = 0, height: Int = 0) {
        self.input = input
        self.outputs = outputs
        self.live = live
        self.width = width
        self.height = height
    }
}

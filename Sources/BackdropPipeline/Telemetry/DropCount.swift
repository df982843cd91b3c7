/// How many frames one stage dropped for one reason: a row of the drop table in a snapshot.
///
/// Encoded with the stage and reason as their log names ("inference", "replaced-by-newer"), the
/// same words the log line uses, so the JSON and the line can be checked against each other.
public struct DropCount: Sendable, Equatable, Codable, CustomStringConvertible {
    public var stage: PipelineStage
    public var reason: DropReason
    public var count: Int

    public init(stage: PipelineStage, reason: DropReason, count: Int) {
        self.stage = stage
        self.reason = reason
        self.count = count
    }

    /// "stage/reason count", as in the log line.
    public var description: String { "\(stage)/\(reason) \(count)" }

    private enum CodingKeys: String, CodingKey { case stage, reason, count }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        let stageName = try container.decode(String.self, forKey: .stage)
        let reasonName = try container.decode(String.self, forKey: .reason)
        guard let stage = PipelineStage.allCases.first(where: { $0.description == stageName }) else {
            throw DecodingError.dataCorruptedError(forKey: .stage, in: container, debugDescription: "unknown stage \(stageName)")
        }
        guard let reason = DropReason.allCases.first(where: { $0.description == reasonName }) else {
            throw DecodingError.dataCorruptedError(forKey: .reason, in: container, debugDescription: "unknown reason \(reasonName)")
        }
        self.init(stage: stage, reason: reason, count: try container.decode(Int.self, forKey: .count))
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(stage.description, forKey: .stage)
        try container.encode(reason.description, forKey: .reason)
        try container.encode(count, forKey: .count)
    }
}

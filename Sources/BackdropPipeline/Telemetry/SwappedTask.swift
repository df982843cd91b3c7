/// The MediaPipe tasks whose instances the memory guard may replace.
///
/// A fixed enum rather than a name, so counting a swap indexes an array instead of hashing a string.
public enum SwappedTask: Int, CaseIterable, Sendable, CustomStringConvertible {
    case segmenter
    case faceLandmarker
    /// Anything else, so a new task can be counted before it gets a case.
    case other

    public var description: String {
        switch self {
        case .segmenter: "segmenter"
        case .faceLandmarker: "face-landmarker"
        case .other: "other"
        }
    }

    /// The task named `name` (its description, e.g. "face-landmarker"), or `.other`.
    public init(name: String) {
        self = Self.allCases.first { $0.description == name } ?? .other
    }
}

/// How many instances of one task the memory guard replaced: a row of the swap table in a snapshot.
public struct SwapCount: Sendable, Equatable, Codable, CustomStringConvertible {
    public var task: SwappedTask
    public var count: Int

    public init(task: SwappedTask, count: Int) {
        self.task = task
        self.count = count
    }

    /// "task count", as in the log line.
    public var description: String { "\(task) \(count)" }

    private enum CodingKeys: String, CodingKey { case task, count }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        self.init(task: SwappedTask(name: try container.decode(String.self, forKey: .task)),
                  count: try container.decode(Int.self, forKey: .count))
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(task.description, forKey: .task)
        try container.encode(count, forKey: .count)
    }
}

/// One place a lookup (the MediaPipe runtime, the models) looked, and why it looked there: what
/// `backdrop models` prints as "found in" and what a not-found error lists.
public struct SearchedPlace: Sendable, Equatable, CustomStringConvertible {
    public enum Origin: String, Sendable {
        case argument = "named explicitly"
        case environment = "from the environment variable"
        case userInstall = "per-user install"
        case python = "a Python's mediapipe wheel"
        case checkout = "checkout"
    }

    public let path: String
    public let origin: Origin

    public init(path: String, origin: Origin) {
        self.path = path
        self.origin = origin
    }

    public var description: String { path }
}

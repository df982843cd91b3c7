import Synchronization

/// What a live source is doing, for a watcher on another thread (the studio's `/healthz`): whether
/// it is reconnecting now, and why. The source writes it; anyone may read it.
public final class SourceStatus: Sendable {
    private let reason = Mutex<String?>(nil)

    public init() {}

    /// Why the source is reconnecting, or nil while it delivers (or has ended).
    public var reconnecting: String? { reason.withLock { $0 } }

    /// The source lost its input and is reopening it, because of `cause`.
    public func beginReconnecting(because cause: String) { reason.withLock { $0 = cause } }

    /// The source is delivering again (or gave up: it has ended).
    public func endReconnecting() { reason.withLock { $0 = nil } }
}

extension SourceStatus: Equatable {
    /// The same status board (options that share one are equal).
    public static func == (left: SourceStatus, right: SourceStatus) -> Bool { left === right }
}

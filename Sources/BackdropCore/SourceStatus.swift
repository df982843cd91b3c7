import Synchronization

/// What a live source is doing, for a watcher on another thread (the studio's `/healthz`, the CLI's
/// log): whether it is reconnecting now, and why. The source writes it; anyone may read it, and
/// an `observer` given at init hears each loss and return as it happens.
public final class SourceStatus: Sendable {
    /// A change a live source reports.
    public enum Event: Sendable, Equatable {
        /// The input stopped (`reason`); the source is reopening it with back-off.
        case lost(reason: String)
        /// The input is back after `gapSeconds` without frames, on reopen attempt `attempt` (from 1).
        case restored(gapSeconds: Double, attempt: Int)
        /// Every reopen attempt failed, or a stop was requested while waiting: the source has ended.
        case gaveUp(reason: String)
    }

    private let reason = Mutex<String?>(nil)
    private let observer: (@Sendable (Event) -> Void)?

    /// - Parameter observer: called on the source's thread for every event; keep it short.
    public init(observer: (@Sendable (Event) -> Void)? = nil) {
        self.observer = observer
    }

    /// Why the source is reconnecting, or nil while it delivers (or has ended).
    public var reconnecting: String? { reason.withLock { $0 } }

    /// The source lost its input and is reopening it, because of `cause`.
    public func beginReconnecting(because cause: String) {
        reason.withLock { $0 = cause }
        observer?(.lost(reason: cause))
    }

    /// The source delivers again: its input came back after `gapSeconds`, on attempt `attempt`.
    public func reconnected(afterSeconds gapSeconds: Double, attempt: Int) {
        reason.withLock { $0 = nil }
        observer?(.restored(gapSeconds: gapSeconds, attempt: attempt))
    }

    /// The source gave up reconnecting (`cause`) and has ended.
    public func gaveUp(because cause: String) {
        reason.withLock { $0 = nil }
        observer?(.gaveUp(reason: cause))
    }
}

extension SourceStatus: Equatable {
    /// The same status board (options that share one are equal).
    public static func == (left: SourceStatus, right: SourceStatus) -> Bool { left === right }
}

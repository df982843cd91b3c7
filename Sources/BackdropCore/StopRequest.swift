import Synchronization

/// A request to stop, shared between whoever decides (a signal handler, a UI, a test) and the
/// blocking work that should give up early: an input that is opening or waiting for a network
/// stream checks it (`SourceOptions.stopRequest`) and ends instead of waiting out its timeout.
/// Once requested it stays requested.
public final class StopRequest: Sendable {
    private let requested = Atomic<Bool>(false)

    public init() {}

    /// Asks the work to stop. Safe from any thread (a signal handler's dispatch queue included).
    public func request() { requested.store(true, ordering: .sequentiallyConsistent) }

    /// True once `request()` was called.
    public var isRequested: Bool { requested.load(ordering: .sequentiallyConsistent) }
}

extension StopRequest: Equatable {
    /// The same request (identity): two options values that stop on the same request are equal.
    public static func == (left: StopRequest, right: StopRequest) -> Bool { left === right }
}

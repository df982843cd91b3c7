import Synchronization

/// Hands each new value to every current subscriber (the page's event streams, the MJPEG viewers),
/// each through its own buffer of `bufferingNewest` values: a slow reader loses its oldest values,
/// the producer never waits. Subscribers come and go at any time; `finishAll()` ends every stream
/// (the studio is shutting down) and later subscribers get an ended one.
final class EventBroadcaster<Value: Sendable>: Sendable {
    private struct State {
        var continuations: [Int: AsyncStream<Value>.Continuation] = [:]
        var nextID = 0
        var finished = false
    }

    private let state = Mutex(State())
    private let bufferingNewest: Int
    private let dropped = Atomic<Int>(0)

    init(bufferingNewest: Int) { self.bufferingNewest = bufferingNewest }

    var subscriberCount: Int { state.withLock { $0.continuations.count } }
    /// Values a full buffer pushed out, over all subscribers.
    var droppedCount: Int { dropped.load(ordering: .relaxed) }

    /// A stream of the values yielded from now on; `onEnd` runs once when it ends (the reader went
    /// away or `finishAll()`).
    func subscribe(onEnd: (@Sendable () -> Void)? = nil) -> AsyncStream<Value> {
        let (stream, continuation) = AsyncStream<Value>.makeStream(bufferingPolicy: .bufferingNewest(bufferingNewest))
        let id: Int? = state.withLock { state in
            guard !state.finished else { return nil }
            defer { state.nextID += 1 }
            state.continuations[state.nextID] = continuation
            return state.nextID
        }
        guard let id else {
            continuation.finish()
            return stream
        }
        continuation.onTermination = { [weak self] _ in
            _ = self?.state.withLock { $0.continuations.removeValue(forKey: id) }
            onEnd?()
        }
        return stream
    }

    func yield(_ value: Value) {
        state.withLock { state in
            for continuation in state.continuations.values {
                if case .dropped = continuation.yield(value) { dropped.add(1, ordering: .relaxed) }
            }
        }
    }

    func finishAll() {
        let ending = state.withLock { state in
            state.finished = true
            defer { state.continuations.removeAll() }
            return Array(state.continuations.values)
        }
        // Outside the lock: finishing runs onTermination, which takes it.
        for continuation in ending { continuation.finish() }
    }
}

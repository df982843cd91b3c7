import Synchronization

/// The callers reading ``PipelineResult``s (`Pipeline.results()`): any number, added at any time,
/// each with a bounded buffer that keeps its newest results; what a full buffer drops is counted.
final class ResultSubscribers: Sendable {
    private struct Subscriber {
        let continuation: AsyncStream<PipelineResult>.Continuation
        let includeFrames: Bool
        let includeMask: Bool
    }

    private struct State {
        var subscribers: [Int: Subscriber] = [:]
        var nextID = 0
        var finished = false
    }

    private let state = Mutex(State())
    private let subscriberCount = Atomic<Int>(0)
    private let maskReaderCount = Atomic<Int>(0)
    private let droppedCount = Atomic<Int>(0)

    /// Whether anyone reads results now (one atomic load: the effect stage asks per frame).
    var isEmpty: Bool { subscriberCount.load(ordering: .relaxed) == 0 }
    /// Whether any subscriber reads the frame-size mask (if none, the effect stage need not write it).
    var wantsMask: Bool { maskReaderCount.load(ordering: .relaxed) > 0 }

    /// Results the subscribers' full buffers dropped so far (each oldest result pushed out counts once).
    var dropped: Int { droppedCount.load(ordering: .relaxed) }

    func subscribe(bufferingNewest: Int, includeFrames: Bool, includeMask: Bool = true) -> AsyncStream<PipelineResult> {
        let (stream, continuation) = AsyncStream<PipelineResult>.makeStream(
            bufferingPolicy: .bufferingNewest(max(1, bufferingNewest)))
        let id: Int? = state.withLock { state in
            guard !state.finished else { return nil }
            let id = state.nextID
            state.nextID += 1
            state.subscribers[id] = Subscriber(continuation: continuation, includeFrames: includeFrames, includeMask: includeMask)
            storeCounts(state)
            return id
        }
        guard let id else {
            continuation.finish()  // the run is over: an empty stream that ends at once
            return stream
        }
        continuation.onTermination = { [weak self] _ in self?.remove(id) }
        return stream
    }

    /// Hands one frame's result to every subscriber; `result(includeFrame, includeMask)` makes it.
    func publish(_ result: (_ includeFrame: Bool, _ includeMask: Bool) -> PipelineResult) {
        state.withLock { state in
            for subscriber in state.subscribers.values {
                if case .dropped = subscriber.continuation.yield(result(subscriber.includeFrames, subscriber.includeMask)) {
                    droppedCount.add(1, ordering: .relaxed)
                }
            }
        }
    }

    /// Ends every stream (the run is over); later subscribers get an empty stream.
    func finishAll() {
        let ending = state.withLock { state in
            state.finished = true
            defer { state.subscribers.removeAll() }
            subscriberCount.store(0, ordering: .relaxed)
            maskReaderCount.store(0, ordering: .relaxed)
            return state.subscribers.values.map(\.continuation)
        }
        // Outside the lock: finishing runs each stream's onTermination, which takes it.
        for continuation in ending { continuation.finish() }
    }

    private func remove(_ id: Int) {
        state.withLock { state in
            state.subscribers[id] = nil
            storeCounts(state)
        }
    }

    private func storeCounts(_ state: State) {
        subscriberCount.store(state.subscribers.count, ordering: .relaxed)
        maskReaderCount.store(state.subscribers.values.filter(\.includeMask).count, ordering: .relaxed)
    }
}

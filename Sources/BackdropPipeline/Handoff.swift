import Foundation

/// A fixed-capacity hand-off between two stage threads, with a stated policy for a full queue.
///
/// - `.wait`: the producer blocks until there is room (offline mode: back-pressure, nothing lost).
/// - `.replaceOldest`: the producer never blocks; the oldest waiting item is pushed out and handed
///   back to the producer to recycle and count (live mode: the next stage always gets the newest frame).
///
/// Storage is a ring of preallocated optionals: putting and taking allocate nothing.
final class Handoff<Item>: @unchecked Sendable {
    enum FullPolicy { case wait, replaceOldest }

    let capacity: Int
    let policy: FullPolicy
    private var ring: [Item?]
    private var head = 0
    private var count = 0
    private var closed = false
    private let condition = NSCondition()

    init(capacity: Int, policy: FullPolicy) {
        precondition(capacity > 0)
        self.capacity = capacity
        self.policy = policy
        ring = Array(repeating: nil, count: capacity)
    }

    /// Adds `item`. Returns the item that was pushed out to make room (`.replaceOldest` only), or
    /// `item` itself when the hand-off is closed; the caller recycles whatever comes back.
    func put(_ item: consuming Item) -> Item? {
        condition.lock()
        defer { condition.unlock() }
        while policy == .wait && count == capacity && !closed { condition.wait() }
        if closed { return item }
        var displaced: Item? = nil
        if count == capacity {
            displaced = ring[head].take()
            head = (head + 1) % capacity
            count -= 1
        }
        ring[(head + count) % capacity] = item
        count += 1
        condition.broadcast()
        return displaced
    }

    /// The oldest item; blocks while empty. nil once closed and drained.
    func take() -> Item? {
        condition.lock()
        defer { condition.unlock() }
        while count == 0 && !closed { condition.wait() }
        return takeLocked()
    }

    /// Like `take()`, but while it waits it calls `idle` (outside the lock) every `interval` seconds,
    /// so the taker can serve another queue meanwhile.
    func take(idlingEvery interval: Double, _ idle: () -> Void) -> Item? {
        condition.lock()
        defer { condition.unlock() }
        while count == 0 && !closed {
            if !condition.wait(until: Date(timeIntervalSinceNow: interval)) {
                condition.unlock()
                idle()
                condition.lock()
            }
        }
        return takeLocked()
    }

    /// The oldest item if one is waiting, without blocking.
    func poll() -> Item? {
        condition.lock()
        defer { condition.unlock() }
        return takeLocked()
    }

    private func takeLocked() -> Item? {
        guard count > 0 else { return nil }
        let item = ring[head].take()
        head = (head + 1) % capacity
        count -= 1
        condition.broadcast()
        return item
    }

    /// Wakes every waiter; puts are refused from now on, takes drain what is left and then return nil.
    func close() {
        condition.lock()
        closed = true
        condition.broadcast()
        condition.unlock()
    }

    var waiting: Int {
        condition.lock()
        defer { condition.unlock() }
        return count
    }
}

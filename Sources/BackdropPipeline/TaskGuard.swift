import BackdropCore
import BackdropMediaPipe
import Foundation

/// The memory guard around one MediaPipe task: where MediaPipe itself grows, a fresh instance is
/// built on a background thread and swapped in between two frames (no frame waits or is lost),
/// and the old one is closed in the background too (closing can block for seconds).
final class TaskGuard<Task: AnyObject & Sendable>: @unchecked Sendable {
    let name: String
    private let make: @Sendable () throws(MediaPipeError) -> Task
    private let close: @Sendable (Task) -> Void
    private let policy: MemoryGuardPolicy
    private let onSwap: @Sendable (String) -> Void

    /// The instance the owning stage uses for the next frame. Only that stage's thread reads it.
    private(set) var current: Task
    private var framesOnCurrent = 0
    private var baselineBytes: Int?
    private let lock = NSLock()
    private var replacement: Task?
    private var building = false
    private(set) var swaps = 0

    init(name: String, policy: MemoryGuardPolicy, onSwap: @escaping @Sendable (String) -> Void,
         close: @escaping @Sendable (Task) -> Void,
         make: @escaping @Sendable () throws(MediaPipeError) -> Task) throws(MediaPipeError) {
        self.name = name
        self.policy = policy
        self.onSwap = onSwap
        self.close = close
        self.make = make
        current = try make()
    }

    /// Called by the owning stage after each frame: swaps in a ready replacement, or starts
    /// building one when the instance is over its budget.
    func frameDone() {
        framesOnCurrent += 1
        let ready: Task? = lock.withLock {
            defer { replacement = nil }
            return replacement
        }
        if let ready {
            let retired = current
            current = ready
            framesOnCurrent = 0
            baselineBytes = nil
            swaps += 1
            onSwap(name)
            let close = self.close
            Thread.detachNewThread { close(retired) }
            return
        }
        if framesOnCurrent == policy.warmUpFrames { baselineBytes = ProcessMemory.residentBytes() }
        guard !isBuilding, overBudget() else { return }
        lock.withLock { building = true }
        let make = self.make
        Thread.detachNewThread { [self] in
            // A failed build leaves the current instance in place; the next check tries again.
            let fresh = try? make()
            lock.withLock {
                replacement = fresh
                building = false
            }
        }
    }

    private var isBuilding: Bool { lock.withLock { building || replacement != nil } }

    private func overBudget() -> Bool {
        if let limit = policy.maxFramesPerInstance, framesOnCurrent >= limit { return true }
        // RSS is read every 30 frames: a few syscalls, not worth doing per frame.
        if let budget = policy.growthBudgetBytes, let baseline = baselineBytes, framesOnCurrent % 30 == 0 {
            return ProcessMemory.residentBytes() - baseline > budget
        }
        return false
    }

    /// Closes the current instance (and a replacement that was never swapped in).
    func shutDown() {
        let pending = lock.withLock {
            defer { replacement = nil }
            return replacement
        }
        if let pending { close(pending) }
        close(current)
    }
}

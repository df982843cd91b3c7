import Foundation

/// The calling thread's name and scheduling priority, as `top`, `ps -L` and /proc show them.
public enum CurrentThread {
    /// Names the calling thread (Linux keeps at most 15 bytes).
    ///
    /// On Linux the name goes through the kernel's file for the calling thread. Foundation's
    /// `Thread.name`, set from inside a new thread, is applied only once the starting thread has
    /// recorded the new one's id, which the new thread can outrun: then the name is silently lost and
    /// the thread keeps its creator's.
    public static func setName(_ name: String) {
        #if os(Linux)
        let file = open("/proc/thread-self/comm", O_WRONLY)
        guard file >= 0 else { return Thread.current.name = name }
        defer { close(file) }
        let bytes = Array(name.utf8.prefix(15))
        _ = bytes.withUnsafeBufferPointer { write(file, $0.baseAddress, $0.count) }
        #else
        Thread.current.name = name
        #endif
    }

    /// The niceness background work runs at (a web server, a preview encoder; the pipeline's threads
    /// keep 0): under contention a nice-10 thread gets about a tenth of the CPU a nice-0 one does.
    public static let backgroundNiceness: Int32 = 10

    /// Lowers the calling thread's priority to `niceness` (Linux: per thread; elsewhere nothing), so
    /// that on a busy machine the kernel gives the pipeline's stage threads the cores first. Returns
    /// whether it did. Raising it again needs privileges, and threads it starts inherit it.
    @discardableResult
    public static func lowerPriority(to niceness: Int32 = backgroundNiceness) -> Bool {
        #if os(Linux)
        // On Linux a nice value belongs to a thread, and `who` 0 is the calling one (pthreads(7)).
        return setpriority(__priority_which_t(PRIO_PROCESS.rawValue), 0, niceness) == 0
        #else
        return false
        #endif
    }
}

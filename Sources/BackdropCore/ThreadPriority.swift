#if canImport(Glibc)
import Glibc
#endif

/// Scheduling priority of threads that must never slow the frame path (a web server, a preview
/// encoder): on a busy machine the kernel then gives the pipeline's stage threads the cores first.
public enum ThreadPriority {
    /// The niceness background work runs at (the pipeline's threads keep 0): under contention a
    /// nice-10 thread gets about a tenth of the CPU a nice-0 one does.
    public static let background: Int32 = 10

    /// Lowers the calling thread's priority to `niceness` (Linux: per thread; elsewhere nothing).
    /// Returns whether it did. Raising it again needs privileges, so this is one-way.
    @discardableResult
    public static func lowerCurrentThread(to niceness: Int32 = background) -> Bool {
        #if os(Linux)
        // On Linux a nice value belongs to a thread, and `who` 0 is the calling one (pthreads(7)).
        return setpriority(__priority_which_t(PRIO_PROCESS.rawValue), 0, niceness) == 0
        #else
        return false
        #endif
    }

    /// The calling thread's niceness (Linux; 0 elsewhere).
    public static var currentNiceness: Int32 {
        #if os(Linux)
        errno = 0
        return getpriority(__priority_which_t(PRIO_PROCESS.rawValue), 0)
        #else
        return 0
        #endif
    }
}

import Foundation

/// Starts a thread that runs `body` under `name`, as `top`, `ps -L` and /proc/PID/task/*/comm show it.
///
/// The name is set from inside the thread: on Linux, Foundation passes a `Thread.name` set before
/// `start()` to nothing the kernel sees, so such threads would all show the process's name.
func startNamedThread(_ name: String, _ body: @escaping @Sendable () -> Void) {
    let thread = Thread {
        Thread.current.name = name
        body()
    }
    thread.start()
}

import BackdropCore
import Foundation

/// Starts a thread that runs `body` under `name`, as `top`, `ps -L` and /proc/PID/task/*/comm show it.
///
/// The name is set from inside the thread (`CurrentThread.setName`): on Linux, Foundation passes a
/// `Thread.name` set before `start()` to nothing the kernel sees, and may miss one set from inside.
func startNamedThread(_ name: String, _ body: @escaping @Sendable () -> Void) {
    let thread = Thread {
        CurrentThread.setName(name)
        body()
    }
    thread.start()
}

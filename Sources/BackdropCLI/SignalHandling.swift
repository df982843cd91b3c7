import BackdropCore
import Synchronization
import UnixSignals
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// SIGINT and SIGTERM for a command that finalizes what it writes: the first signal asks to stop
/// (``stop``, which an opening input watches, then each action given to ``onStop(_:)``: the service
/// group's graceful shutdown); a second signal quits at once, after the clean-ups given to
/// ``beforeForcedExit(_:)``, with status 128 + the signal, as a shell reports it.
///
/// Why not the service group's own signal handling: it ignores a second signal while it shuts down
/// and does not say which signal came, and the CLI needs both (exit 130 or 143; a second Ctrl-C
/// must not wait for a slow finish). So one `UnixSignalsSequence` (swift-service-lifecycle's) is
/// watched here and the group is told to shut down gracefully from it.
public final class SignalHandling: Sendable {
    /// Requested by the first signal.
    public let stop = StopRequest()
    private let received = Atomic<Int32>(0)
    private let actions = Mutex<(onStop: [@Sendable () -> Void], beforeForcedExit: [@Sendable () -> Void])>(([], []))
    private let reloads = Mutex<[@Sendable () -> Void]>([])

    private init() {}

    /// Starts catching SIGINT and SIGTERM, and SIGHUP (``onReload(_:)``: it no longer ends the
    /// process); until then they keep their default action.
    public static func start() async -> SignalHandling {
        let handling = SignalHandling()
        #if os(Linux)
        // libdispatch on Linux reads signals through a signalfd, which sees a signal only where no
        // thread runs its default action first: ignore the default, the sequence still gets them.
        signal(SIGINT, SIG_IGN)
        signal(SIGTERM, SIG_IGN)
        signal(SIGHUP, SIG_IGN)
        #endif
        let signals = await UnixSignalsSequence(trapping: .sigint, .sigterm, .sighup)
        Task.detached {
            for await signal in signals {
                if signal == .sighup {
                    for reload in handling.reloads.withLock({ $0 }) { reload() }
                } else {
                    handling.received(signal.rawValue)
                }
            }
        }
        return handling
    }

    /// The signal that asked to stop (0 while none has).
    public var signalNumber: Int32 { received.load(ordering: .sequentiallyConsistent) }

    /// Runs `action` on the first signal (at once, when it has come already).
    public func onStop(_ action: @escaping @Sendable () -> Void) {
        let already = actions.withLock { actions in
            if signalNumber == 0 { actions.onStop.append(action) }
            return signalNumber != 0
        }
        if already { action() }
    }

    /// Runs `action` on every SIGHUP (reading a config file again), on the signal watcher's task.
    public func onReload(_ action: @escaping @Sendable () -> Void) {
        reloads.withLock { $0.append(action) }
    }

    /// Runs `cleanUp` just before a second signal ends the process (deleting unfinished temporary
    /// files, say). Clean-ups run in the order they were added.
    public func beforeForcedExit(_ cleanUp: @escaping @Sendable () -> Void) {
        actions.withLock { $0.beforeForcedExit.append(cleanUp) }
    }

    private func received(_ number: Int32) {
        let first = actions.withLock { actions in
            received.compareExchange(expected: 0, desired: number, ordering: .sequentiallyConsistent).exchanged
        }
        guard first else {
            // Asked twice: the user wants out now. (Not a signal handler: the clean-ups may do ordinary work.)
            for cleanUp in actions.withLock({ $0.beforeForcedExit }) { cleanUp() }
            _exit(128 + number)
        }
        stop.request()
        for action in actions.withLock({ $0.onStop }) { action() }
    }
}

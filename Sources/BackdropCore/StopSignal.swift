import Dispatch
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// Turns SIGINT and SIGTERM into a request to stop that long-running loops poll between frames,
/// so that outputs are finalized instead of cut off. A second signal exits at once.
public final class StopSignal: Sendable {
    public static let shared = StopSignal()

    private let requested = Atomic<Bool>(false)
    private let received = Atomic<Int32>(0)
    private let installed = Mutex<[any DispatchSourceSignal]>([])
    private let lastRites = Mutex<[@Sendable () -> Void]>([])

    private init() {}

    /// Starts catching the signals (idempotent). Until then they keep their default action.
    public func install(signals: [Int32] = [SIGINT, SIGTERM]) {
        installed.withLock { sources in
            guard sources.isEmpty else { return }
            for number in signals {
                signal(number, SIG_IGN)  // the dispatch source sees it instead of the default handler
                let source = DispatchSource.makeSignalSource(signal: number, queue: .global())
                source.setEventHandler { [self, source] in  // the sources live as long as the process
                    // `data` counts the signals merged into this event: two at once are a double Ctrl-C too.
                    if requested.exchange(true, ordering: .sequentiallyConsistent) || source.data > 1 {
                        // Asked twice: the user wants out now. (A dispatch handler, not a signal
                        // handler, so the clean-ups may do ordinary work.)
                        for cleanUp in lastRites.withLock({ $0 }) { cleanUp() }
                        _exit(128 + number)
                    }
                    received.store(number, ordering: .sequentiallyConsistent)
                }
                source.resume()
                sources.append(source)
            }
        }
    }

    /// Runs `cleanUp` just before a second signal ends the process at once (deleting unfinished
    /// temporary files, say). Clean-ups run in the order they were added.
    public func beforeForcedExit(_ cleanUp: @escaping @Sendable () -> Void) {
        lastRites.withLock { $0.append(cleanUp) }
    }

    /// True once a stop was requested by a signal or by `request()`.
    public var isRequested: Bool { requested.load(ordering: .sequentiallyConsistent) }

    /// The signal that asked to stop (0 when none did).
    public var signalNumber: Int32 { received.load(ordering: .sequentiallyConsistent) }

    /// Asks loops to stop, as a signal would.
    public func request() { requested.store(true, ordering: .sequentiallyConsistent) }
}

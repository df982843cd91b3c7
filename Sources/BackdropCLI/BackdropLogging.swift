import Logging
import Synchronization
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Installs the backdrop tool's log handlers for the process. Only the CLI's executables call it:
/// the library targets take the caller's Logger, and an app that embeds them bootstraps its own.
///
/// `LoggingSystem.bootstrap` traps when called twice (and tests and the CLI may each try), so the
/// first call wins and later calls are no-ops that say so.
public enum BackdropLogging {
    /// `--log-format`.
    public enum Format: String, CaseIterable, Sendable {
        /// One readable line per message (`PlainLogHandler`).
        case plain
        /// One JSON object per line (`JSONLogHandler`).
        case json
    }

    private static let bootstrapped = Atomic<Bool>(false)

    /// Bootstraps swift-log with the handler for `format`, writing to `fileDescriptor` (stderr).
    /// Returns false, changing nothing, when this process already bootstrapped through here.
    @discardableResult
    public static func bootstrap(format: Format, level: Logger.Level = .info,
                                 fileDescriptor: Int32 = STDERR_FILENO) -> Bool {
        guard bootstrapped.compareExchange(expected: false, desired: true, ordering: .sequentiallyConsistent).exchanged else {
            return false
        }
        LoggingSystem.bootstrap { label in makeHandler(format: format, label: label, level: level, fileDescriptor: fileDescriptor) }
        return true
    }

    /// True once `bootstrap` has run in this process.
    public static var isBootstrapped: Bool { bootstrapped.load(ordering: .sequentiallyConsistent) }

    /// The handler `bootstrap` installs, for building a `Logger` without touching the global system
    /// (tests, or a library caller that bootstraps on its own).
    public static func makeHandler(format: Format, label: String, level: Logger.Level = .info,
                                   fileDescriptor: Int32 = STDERR_FILENO) -> any LogHandler {
        switch format {
        case .plain: PlainLogHandler(label: label, fileDescriptor: fileDescriptor, logLevel: level)
        case .json: JSONLogHandler(label: label, fileDescriptor: fileDescriptor, logLevel: level)
        }
    }
}

import Foundation
import Logging

/// The default log format: one readable line per message, to stderr.
///
///     2025-03-01 12:34:56.789 info in 29.8 fps | processed 29.8 fps | ...
///     2025-03-01 12:34:57.001 error sink failed sink=rtmp://host/live
///
/// Local time, level, message, then scalar metadata as `key=value` (sorted). Nested metadata
/// (dictionaries, arrays) is left out: it carries structure for `--log-format json`, such as the
/// telemetry figures that the message already spells out.
public struct PlainLogHandler: LogHandler {
    public let label: String
    public var logLevel: Logger.Level
    public var metadata: Logger.Metadata = [:]
    public var metadataProvider: Logger.MetadataProvider?
    private let output: LogOutput

    public init(label: String, fileDescriptor: Int32 = STDERR_FILENO, logLevel: Logger.Level = .info,
                metadataProvider: Logger.MetadataProvider? = LoggingSystem.metadataProvider) {
        self.label = label
        self.logLevel = logLevel
        self.metadataProvider = metadataProvider
        output = LogOutput(fileDescriptor: fileDescriptor)
    }

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    public func log(event: LogEvent) {
        output.write(line: render(event))
    }

    /// The line `log(event:)` writes (without the newline).
    func render(_ event: LogEvent) -> String {
        var line = LogTimestamp.local() + " " + event.level.rawValue + " " + event.message.description
        if let error = event.error { line += " error=\(error)" }
        var merged = metadata
        if let provided = metadataProvider?.get() { merged.merge(provided) { _, new in new } }
        if let own = event.metadata { merged.merge(own) { _, new in new } }
        for (key, value) in merged.sorted(by: { $0.key < $1.key }) {
            switch value {
            case .string(let text): line += " \(key)=\(text)"
            case .stringConvertible(let convertible): line += " \(key)=\(convertible.description)"
            case .dictionary, .array: continue
            }
        }
        return line
    }
}

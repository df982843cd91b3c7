import Foundation
import Logging

/// `--log-format json`: every log message as one JSON object on one line, for log collectors.
///
///     {"ts":"2025-03-01T12:34:56.789Z","level":"info","label":"backdrop.telemetry","message":"in 29.8 fps | ...","telemetry":{...}}
///
/// "ts", "level", "label" and "message" come first; then "error" when the event carries one; then
/// the metadata (handler metadata, then the metadata provider's, then the call's, later winning),
/// sorted by key. A metadata key that collides with one of the fixed keys is written with a leading
/// underscore instead of overwriting it.
public struct JSONLogHandler: LogHandler {
    private static let reservedKeys: Set<String> = ["ts", "level", "label", "message", "error"]

    public let label: String
    public var logLevel: Logger.Level
    public var metadata: Logger.Metadata = [:]
    public var metadataProvider: Logger.MetadataProvider?
    private let output: LogOutput
    /// Keeps a caller's FileHandle (and so its descriptor) open as long as the handler lives.
    private let retainedHandle: FileHandle?

    /// Writes to `fileDescriptor` (stderr by default, which keeps stdout free for piped video).
    public init(label: String, fileDescriptor: Int32 = STDERR_FILENO, logLevel: Logger.Level = .info,
                metadataProvider: Logger.MetadataProvider? = LoggingSystem.metadataProvider) {
        self.label = label
        self.logLevel = logLevel
        self.metadataProvider = metadataProvider
        output = LogOutput(fileDescriptor: fileDescriptor)
        retainedHandle = nil
    }

    /// Writes to `fileHandle`.
    public init(label: String, fileHandle: FileHandle, logLevel: Logger.Level = .info) {
        self.label = label
        self.logLevel = logLevel
        metadataProvider = LoggingSystem.metadataProvider
        output = LogOutput(fileDescriptor: fileHandle.fileDescriptor)
        retainedHandle = fileHandle
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
        var members: [(key: String, json: String)] = [
            ("ts", JSONText.quoted(LogTimestamp.utcISO8601())),
            ("level", JSONText.quoted(event.level.rawValue)),
            ("label", JSONText.quoted(label)),
            ("message", JSONText.quoted(event.message.description)),
        ]
        if let error = event.error {
            members.append(("error", JSONText.quoted(String(describing: error))))
        }
        var merged = metadata
        if let provided = metadataProvider?.get() { merged.merge(provided) { _, new in new } }
        if let own = event.metadata { merged.merge(own) { _, new in new } }
        for (key, value) in merged.sorted(by: { $0.key < $1.key }) {
            let name = Self.reservedKeys.contains(key) ? "_" + key : key
            members.append((name, JSONText.value(value)))
        }
        return JSONText.object(members)
    }
}

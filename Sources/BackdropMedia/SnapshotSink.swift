import BackdropCore

/// Saves frames as still images (PNG, or JPEG by extension) named by a printf-style pattern:
/// every Nth frame written, and any frame on demand with ``save(_:)``.
///
/// The pattern holds one integer conversion (`%d`, `%6d` or `%06d`; `%%` is a literal `%`), which
/// becomes the frame's `index`: `shot-%05d.png` names frame 120 `shot-00120.png`. Each file is
/// written atomically (``ImageFile/write(_:to:jpegQuality:)``).
public final class SnapshotSink: VideoSink {
    public let pattern: String
    /// Saves the 1st, (N+1)th, (2N+1)th ... frame written; nil saves only on `save(_:)`.
    public let every: Int?
    public let jpegQuality: Int
    public var name: String { pattern }
    public private(set) var snapshotsWritten = 0
    public private(set) var lastPath: String?

    private let prefix: String
    private let suffix: String
    private let width: Int
    private let zeroPadded: Bool
    private var framesSeen = 0

    public init(pattern: String, every: Int? = 1, jpegQuality: Int = 90) throws(MediaError) {
        if let every, every < 1 {
            throw .unsupported(path: pattern, reason: "every \(every): save every Nth frame with N at least 1, or pass nil")
        }
        guard let parts = Self.parse(pattern) else {
            throw .unsupported(path: pattern, reason: "a snapshot name pattern needs exactly one integer conversion "
                + "(%d, %5d or %05d; %% for a literal %), which becomes the frame index")
        }
        self.pattern = pattern
        self.every = every
        self.jpegQuality = jpegQuality
        (prefix, suffix, width, zeroPadded) = parts
        // Refuse a bad extension or quality now, not at the first snapshot.
        _ = try ImageFileType(path: path(for: 0))
        if !(1...100).contains(jpegQuality) {
            throw .unsupported(path: pattern, reason: "jpegQuality \(jpegQuality) is outside 1...100")
        }
    }

    /// The file name for frame `index`.
    public func path(for index: Int) -> String {
        let digits = String(index.magnitude), sign = index < 0 ? "-" : ""
        let padding = max(0, width - digits.count - sign.count)
        let number = zeroPadded ? sign + String(repeating: "0", count: padding) + digits
                                : String(repeating: " ", count: padding) + sign + digits
        return prefix + number + suffix
    }

    public func write(_ frame: VideoFrame) throws(MediaError) {
        defer { framesSeen += 1 }
        guard let every, framesSeen % every == 0 else { return }
        try save(frame)
    }

    /// Saves `frame` now, whatever `every` says; returns the file's path.
    @discardableResult
    public func save(_ frame: VideoFrame) throws(MediaError) -> String {
        let file = path(for: frame.index)
        try ImageFile.write(frame.image, to: file, jpegQuality: jpegQuality)
        snapshotsWritten += 1
        lastPath = file
        return file
    }

    /// Nothing to flush: every snapshot is complete when `write` returns.
    public func finish() throws(MediaError) {}

    /// Splits `%[0][width]d` out of the pattern, turning `%%` into `%`; nil unless there is exactly one.
    private static func parse(_ pattern: String) -> (String, String, Int, Bool)? {
        var prefix = "", suffix = "", found: (width: Int, zero: Bool)?
        var characters = pattern[...]
        while let character = characters.popFirst() {
            guard character == "%" else {
                if found == nil { prefix.append(character) } else { suffix.append(character) }
                continue
            }
            if characters.first == "%" {
                characters.removeFirst()
                if found == nil { prefix.append("%") } else { suffix.append("%") }
                continue
            }
            let zero = characters.first == "0"
            let digits = characters.prefix { $0.isASCII && $0.isNumber }
            characters = characters.dropFirst(digits.count)
            guard found == nil, characters.popFirst() == "d", digits.count <= 2 else { return nil }
            found = (Int(digits) ?? 0, zero)
        }
        guard let found else { return nil }
        return (prefix, suffix, found.width, found.zero)
    }
}

/// Where the studio listens: `[HOST:]PORT` (`8080`, `127.0.0.1:8080`, `0.0.0.0:8080`, `[::1]:8080`;
/// port 0 picks a free one). The host defaults to 127.0.0.1: nothing is reachable from other
/// machines unless asked for.
public struct ListenAddress: Sendable, Equatable, CustomStringConvertible {
    public var host: String
    public var port: Int

    public static let defaultHost = "127.0.0.1"
    public static let defaultPort = 8080

    public init(host: String = ListenAddress.defaultHost, port: Int = ListenAddress.defaultPort) {
        self.host = host
        self.port = port
    }

    /// Parses `[HOST:]PORT`; the error says what was wrong and what to write.
    public init(parsing text: String) throws(StudioError) {
        let usage = "write [HOST:]PORT, e.g. 8080, 127.0.0.1:8080, 0.0.0.0:8080 or [::1]:8080"
        var host = Self.defaultHost
        var portText = Substring(text)
        if text.hasPrefix("[") {
            guard let close = text.firstIndex(of: "]"), text[text.index(after: close)...].hasPrefix(":") else {
                throw .badAddress("\(text) has an IPv6 host without ]:PORT: \(usage)")
            }
            host = String(text[text.index(after: text.startIndex)..<close])
            portText = text[text.index(close, offsetBy: 2)...]
        } else if let colon = text.lastIndex(of: ":") {
            host = String(text[..<colon])
            portText = text[text.index(after: colon)...]
            if host.contains(":") { throw .badAddress("\(text): put an IPv6 host in brackets; \(usage)") }
        }
        guard !host.isEmpty || text.hasPrefix(":") else { throw .badAddress("\(text) has no host: \(usage)") }
        if host.isEmpty { host = Self.defaultHost }
        guard let port = Int(portText), (0...65_535).contains(port) else {
            throw .badAddress("\(text) has no port in 0...65535 (0 picks a free one): \(usage)")
        }
        guard host.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "." || $0 == "-" || $0 == ":" }) else {
            throw .badAddress("\(text) has a host that is neither an IP address nor a host name: \(usage)")
        }
        self.init(host: host, port: port)
    }

    /// Whether only this machine can connect (127.0.0.0/8, ::1, localhost).
    public var isLoopback: Bool {
        host == "localhost" || host == "::1" || host.hasPrefix("127.")
    }

    public var description: String { host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)" }
}

/// What can go wrong setting the studio up.
public enum StudioError: Error, Equatable, CustomStringConvertible {
    /// A `--serve` value that is not `[HOST:]PORT`.
    case badAddress(String)
    /// A non-loopback address without a token, or a token that is too weak.
    case insecure(String)
    /// The server could not start (the port is taken, the host is not this machine's).
    case cannotListen(String)

    public var description: String {
        switch self {
        case .badAddress(let message), .insecure(let message), .cannotListen(let message): message
        }
    }
}

import Foundation

/// A plain HTTP/1.1 client over a socket, for tests that must send what a browser library would not:
/// any Host or Origin header, a malformed or huge body. One request per connection, closed once the
/// answer is read.
public enum HTTPTestClient {
    public struct Response: Sendable {
        public var status: Int
        /// Header names lower-cased.
        public var headers: [String: String]
        public var body: Data
        public var text: String { String(decoding: body, as: UTF8.self) }
        /// The body as a JSON object (nil when it is not one).
        public var json: [String: Any]? { (try? JSONSerialization.jsonObject(with: body)) as? [String: Any] }
    }

    public enum Failure: Error, CustomStringConvertible {
        case connect(String)
        case malformedResponse(String)
        public var description: String {
            switch self {
            case .connect(let reason): "could not connect: \(reason)"
            case .malformedResponse(let reason): "malformed response: \(reason)"
            }
        }
    }

    /// Sends one request to 127.0.0.1:`port` and reads the answer to its end (or `maximumBytes`,
    /// for a stream that never ends: the connection is then closed).
    public static func request(port: Int, _ method: String, _ path: String, headers: [String: String] = [:],
                               body: Data? = nil, host: String? = nil, maximumBytes: Int = 64 * 1_048_576,
                               timeout: TimeInterval = 30) throws -> Response {
        var head = "\(method) \(path) HTTP/1.1\r\nHost: \(host ?? "127.0.0.1:\(port)")\r\n"
        for (name, value) in headers { head += "\(name): \(value)\r\n" }
        if let body { head += "Content-Length: \(body.count)\r\n" }
        head += "\r\n"
        let socket = try connect(port: port, timeout: timeout)
        defer { close(socket) }
        // Sent from another thread while the answer is read, as a browser does: a server may answer
        // (413) before reading a big body, and then waits for the client to go away.
        let sent = DispatchSemaphore(value: 0)
        let request = Data(head.utf8) + (body ?? Data())
        Thread {
            _ = send(socket, request)
            sent.signal()
        }.start()
        var received = Data()
        var buffer = [UInt8](repeating: 0, count: 65_536)
        while received.count < maximumBytes && !isComplete(received) {
            let count = recv(socket, &buffer, buffer.count, 0)
            if count <= 0 { break }
            received.append(contentsOf: buffer[0..<count])
        }
        shutdown(socket, Int32(SHUT_RDWR))  // ends a send still under way
        sent.wait()
        return try parse(received)
    }

    /// GET with the JSON answer's object.
    public static func getJSON(port: Int, _ path: String, headers: [String: String] = [:]) throws -> [String: Any] {
        let response = try request(port: port, "GET", path, headers: headers)
        guard let json = response.json else { throw Failure.malformedResponse("\(path) answered \(response.status): \(response.text.prefix(200))") }
        return json
    }

    private static func connect(port: Int, timeout: TimeInterval) throws -> Int32 {
        let socket = Foundation.socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard socket >= 0 else { throw Failure.connect(String(cString: strerror(errno))) }
        var time = timeval(tv_sec: Int(timeout), tv_usec: 0)
        setsockopt(socket, SOL_SOCKET, SO_RCVTIMEO, &time, socklen_t(MemoryLayout<timeval>.size))
        setsockopt(socket, SOL_SOCKET, SO_SNDTIMEO, &time, socklen_t(MemoryLayout<timeval>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { Foundation.connect(socket, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard connected == 0 else {
            let reason = String(cString: strerror(errno))
            close(socket)
            throw Failure.connect("127.0.0.1:\(port): \(reason)")
        }
        return socket
    }

    /// Whether `data` holds a whole response with a Content-Length (others are read to their end).
    private static func isComplete(_ data: Data) -> Bool {
        guard let end = data.range(of: Data("\r\n\r\n".utf8)) else { return false }
        let head = String(decoding: data[..<end.lowerBound], as: UTF8.self).lowercased()
        guard let line = head.components(separatedBy: "\r\n").first(where: { $0.hasPrefix("content-length:") }),
              let length = Int(line.dropFirst("content-length:".count).trimmingCharacters(in: .whitespaces)) else { return false }
        return data.count - end.upperBound >= length
    }

    private static func send(_ socket: Int32, _ data: Data) -> Bool {
        data.withUnsafeBytes { raw in
            var offset = 0
            while offset < raw.count {
                let count = Foundation.send(socket, raw.baseAddress! + offset, raw.count - offset, Int32(MSG_NOSIGNAL))
                if count <= 0 { return false }
                offset += count
            }
            return true
        }
    }

    private static func parse(_ data: Data) throws -> Response {
        guard let end = data.range(of: Data("\r\n\r\n".utf8)) else {
            throw Failure.malformedResponse("no end of headers in \(data.count) bytes")
        }
        let lines = String(decoding: data[..<end.lowerBound], as: UTF8.self).components(separatedBy: "\r\n")
        let statusParts = lines[0].split(separator: " ")
        guard statusParts.count >= 2, let status = Int(statusParts[1]) else { throw Failure.malformedResponse(lines[0]) }
        var headers: [String: String] = [:]
        for line in lines.dropFirst() {
            guard let colon = line.firstIndex(of: ":") else { continue }
            headers[line[..<colon].lowercased()] = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
        }
        var body = Data(data[end.upperBound...])
        if headers["transfer-encoding"]?.lowercased() == "chunked" { body = dechunk(body) }
        return Response(status: status, headers: headers, body: body)
    }

    private static func dechunk(_ data: Data) -> Data {
        var result = Data()
        var index = data.startIndex
        while let lineEnd = data[index...].range(of: Data("\r\n".utf8)) {
            let sizeText = String(decoding: data[index..<lineEnd.lowerBound], as: UTF8.self)
            guard let size = Int(sizeText.split(separator: ";").first ?? "", radix: 16), size > 0 else { break }
            let start = lineEnd.upperBound
            let stop = min(data.endIndex, start + size)
            result.append(data[start..<stop])
            index = min(data.endIndex, stop + 2)
        }
        return result
    }
}

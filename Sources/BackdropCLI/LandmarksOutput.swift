import ArgumentParser
import BackdropMedia
import BackdropMediaPipe
import BackdropPipeline
import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// `--landmarks-output`: one JSON line per output frame, for avatar and analysis tools:
/// `{"t": seconds, "frame": index, "faces": [{"box": [x, y, w, h], "landmarks": [[x, y, z], ...],
/// "blendshapes": {"jawOpen": 0.1, ...}}]}`, coordinates normalised to the frame (0...1).
enum LandmarksDestination: ExpressibleByArgument, Equatable, CustomStringConvertible {
    /// A file, written under a temporary name and renamed when the run completes.
    case file(String)
    case standardOutput
    /// One datagram per line.
    case udp(host: String, port: UInt16)

    init?(argument: String) {
        if argument == "-" { self = .standardOutput; return }
        guard argument.lowercased().hasPrefix("udp://") else {
            guard !argument.isEmpty, !argument.contains("://") else { return nil }
            self = .file(argument)
            return
        }
        let address = argument.dropFirst("udp://".count)
        guard let colon = address.lastIndex(of: ":"), let port = UInt16(address[address.index(after: colon)...]), port > 0 else { return nil }
        let host = String(address[..<colon]).trimmingCharacters(in: CharacterSet(charactersIn: "[]"))
        guard !host.isEmpty else { return nil }
        self = .udp(host: host, port: port)
    }

    /// Whether a UDP destination stays on this machine (127.0.0.0/8, ::1, localhost).
    var isLoopback: Bool {
        guard case .udp(let host, _) = self else { return true }
        return host == "localhost" || host == "::1" || host.hasPrefix("127.")
    }

    var description: String {
        switch self {
        case .file(let path): path
        case .standardOutput: "-"
        case .udp(let host, let port): "udp://\(host):\(port)"
        }
    }
}

/// One frame's faces as a JSON line (built by hand into a reused byte buffer: ~15 KB a face).
struct LandmarksLine {
    private(set) var bytes: [UInt8] = []

    mutating func encode(_ result: PipelineResult, blendshapes: Bool) {
        bytes.removeAll(keepingCapacity: true)
        append("{\"t\":\(Double(result.timestampMicroseconds) / 1_000_000),\"frame\":\(result.index),\"faces\":[")
        for (number, face) in result.faces.faces.enumerated() {
            if number > 0 { append(",") }
            var minX = Float.infinity, minY = Float.infinity, maxX = -Float.infinity, maxY = -Float.infinity
            for point in face.landmarks {
                minX = min(minX, point.x); maxX = max(maxX, point.x); minY = min(minY, point.y); maxY = max(maxY, point.y)
            }
            if face.landmarks.isEmpty { (minX, minY, maxX, maxY) = (0, 0, 0, 0) }
            append("{\"box\":[\(minX),\(minY),\(maxX - minX),\(maxY - minY)],\"landmarks\":[")
            for (index, point) in face.landmarks.enumerated() {
                append(index > 0 ? ",[\(point.x),\(point.y),\(point.z)]" : "[\(point.x),\(point.y),\(point.z)]")
            }
            append("]")
            if blendshapes {
                append(",\"blendshapes\":{")
                for (index, shape) in face.blendshapes.enumerated() {
                    append("\(index > 0 ? "," : "")\"\(shape.category.mediapipeName)\":\(shape.score)")
                }
                append("}")
            }
            append("}")
        }
        append("]}\n")
    }

    private mutating func append(_ text: String) { bytes.append(contentsOf: text.utf8) }
}

/// Writes the lines of a run's results as they come, off the pipeline's threads: the results
/// stream keeps at most ``bufferedLines`` unread results (what a slow destination makes it push
/// out is counted by the pipeline as dropped results, and reported at the end).
final class LandmarksWriter: @unchecked Sendable {
    static let bufferedLines = 256

    private let destination: LandmarksDestination
    private let blendshapes: Bool
    private let file: AtomicLineFile?
    private let socket: Int32
    private var address = sockaddr_storage()
    private var addressLength: socklen_t = 0
    private(set) var linesWritten = 0
    private(set) var datagramsFailed = 0

    /// Opens the destination (the file's temporary, or the socket) before the run starts.
    init(_ destination: LandmarksDestination, blendshapes: Bool) throws {
        self.destination = destination
        self.blendshapes = blendshapes
        switch destination {
        case .file(let path):
            file = try AtomicLineFile(path: path)
            socket = -1
        case .standardOutput:
            file = nil
            socket = -1
        case .udp(let host, let port):
            file = nil
            var hints = addrinfo()
            hints.ai_socktype = Int32(SOCK_DGRAM.rawValue)
            var found: UnsafeMutablePointer<addrinfo>?
            guard getaddrinfo(host, String(port), &hints, &found) == 0, let first = found else {
                throw ValidationError("--landmarks-output \(destination): cannot resolve \(host)")
            }
            defer { freeaddrinfo(found) }
            socket = Glibc.socket(first.pointee.ai_family, Int32(SOCK_DGRAM.rawValue), 0)
            guard socket >= 0 else { throw ValidationError("--landmarks-output \(destination): cannot open a UDP socket") }
            memcpy(&address, first.pointee.ai_addr, Int(first.pointee.ai_addrlen))
            addressLength = first.pointee.ai_addrlen
        }
    }

    deinit { if socket >= 0 { close(socket) } }

    /// Writes a line for each result until the stream ends (the run is over).
    func write(_ results: AsyncStream<PipelineResult>) async throws {
        var line = LandmarksLine()
        for await result in results {
            line.encode(result, blendshapes: blendshapes)
            try send(line.bytes)
            linesWritten += 1
        }
    }

    private func send(_ bytes: [UInt8]) throws {
        switch destination {
        case .file: try file?.append(bytes)
        case .standardOutput: FileHandle.standardOutput.write(Data(bytes))
        case .udp:
            // A datagram nobody reads (no listener yet) is lost, as UDP is; counted, never fatal.
            let sent = bytes.withUnsafeBytes { buffer in
                withUnsafePointer(to: &address) {
                    $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { sendto(socket, buffer.baseAddress, buffer.count, 0, $0, addressLength) }
                }
            }
            if sent < 0 { datagramsFailed += 1 }
        }
    }

    /// The run completed: the file moves into place.
    func finish() throws { try file?.finish() }

    /// The run failed: a file's lines are deleted, an earlier file of that name stays.
    func abandon() { file?.abandon() }
}

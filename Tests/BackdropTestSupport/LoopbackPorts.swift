import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Loopback ports for tests that stream: one nothing uses, and whether something listens on one.
public enum LoopbackPorts {
    public enum Transport: Sendable { case udp, tcp }

    public struct Failure: Error, CustomStringConvertible {
        public let description: String
    }

    /// A port nothing uses right now: bind port 0 on 127.0.0.1, read what the kernel chose, close.
    public static func free(_ transport: Transport) throws -> Int {
        let descriptor = socket(AF_INET, Int32(transport == .udp ? SOCK_DGRAM.rawValue : SOCK_STREAM.rawValue), 0)
        guard descriptor >= 0 else { throw Failure(description: "socket: \(String(cString: strerror(errno)))") }
        defer { close(descriptor) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { socketAddress in
                bind(descriptor, socketAddress, length) == 0 && getsockname(descriptor, socketAddress, &length) == 0
            }
        }
        guard bound else { throw Failure(description: "bind: \(String(cString: strerror(errno)))") }
        return Int(UInt16(bigEndian: address.sin_port))
    }

    /// Whether a socket is bound to `port` on this machine, from /proc/net, polled for up to `timeout` seconds.
    public static func waitUntilBound(_ port: Int, _ transport: Transport, timeout: TimeInterval = 10) -> Bool {
        let table = transport == .udp ? "/proc/net/udp" : "/proc/net/tcp"
        let needle = String(format: ":%04X ", port)
        return poll(timeout: timeout) {
            (try? String(contentsOfFile: table, encoding: .utf8))?.contains(needle) ?? false
        }
    }
}

/// Starts the ffmpeg tool sending a live test picture (160x120, 25 FPS, H.264 in MPEG-TS, a
/// keyframe every 5 frames) to `url` in real time for `seconds`; the caller terminates it if needed.
public func startTestStream(to url: String, seconds: Int) throws -> Process {
    let sender = Process()
    sender.executableURL = URL(fileURLWithPath: "/usr/bin/ffmpeg")
    sender.arguments = ["-v", "error", "-nostdin", "-re", "-f", "lavfi", "-i", "testsrc2=size=160x120:rate=25", "-t", "\(seconds)",
                        "-c:v", "libx264", "-g", "5", "-pix_fmt", "yuv420p", "-f", "mpegts", url]
    try sender.run()
    return sender
}

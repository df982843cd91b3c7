import BackdropCore
#if canImport(Glibc)
import Glibc
#endif

/// A process that has a device open, as /proc tells.
public struct DeviceHolder: Sendable, Equatable, CustomStringConvertible {
    public var pid: Int32
    /// The program's name (/proc/PID/comm), e.g. "ffmpeg" or "chrome".
    public var command: String

    public init(pid: Int32, command: String) {
        self.pid = pid
        self.command = command
    }

    public var description: String { "\(command) (pid \(pid))" }
}

/// Which processes have a device node open, from each process's /proc/PID/fd links. Linux only
/// ([] elsewhere). Only processes this user may inspect are seen (all of them as root); a scan
/// reads every process's descriptor table, so call it now and then, never per frame.
public enum DeviceHolders {
    /// The processes other than this one that have `device` (e.g. /dev/video0) open, by pid.
    public static func processes(holding device: String) -> [DeviceHolder] {
        #if os(Linux)
        guard let target = resolvedPath(device) else { return [] }
        let me = getpid()
        let holders = DirectoryListing.names(in: "/proc").compactMap { name -> DeviceHolder? in
            guard let pid = Int32(name), pid != me, holds(pid: pid, target) else { return nil }
            return DeviceHolder(pid: pid, command: command(of: pid))
        }
        return holders.sorted { $0.pid < $1.pid }
        #else
        return []
        #endif
    }

    /// "ffmpeg (pid 812), chrome (pid 901)", or nil when /proc names nobody.
    public static func describe(_ holders: [DeviceHolder]) -> String? {
        holders.isEmpty ? nil : holders.map(\.description).joined(separator: ", ")
    }
    #if os(Linux)

    private static func holds(pid: Int32, _ target: String) -> Bool {
        let fdFolder = "/proc/\(pid)/fd"
        var link = [CChar](repeating: 0, count: 256)
        return DirectoryListing.names(in: fdFolder).contains { name in
            let length = readlink("\(fdFolder)/\(name)", &link, link.count - 1)
            guard length > 0 else { return false }
            return link.withUnsafeBufferPointer { buffer in
                String(decoding: UnsafeRawBufferPointer(start: buffer.baseAddress, count: length), as: UTF8.self)
            } == target
        }
    }

    private static func command(of pid: Int32) -> String {
        guard let file = fopen("/proc/\(pid)/comm", "r") else { return "?" }
        defer { fclose(file) }
        var line = [CChar](repeating: 0, count: 64)
        guard fgets(&line, Int32(line.count), file) != nil else { return "?" }
        let text = line.withUnsafeBufferPointer { String(cString: $0.baseAddress!) }
        return text.hasSuffix("\n") ? String(text.dropLast()) : text
    }

    /// The device's real path (symlinks such as /dev/v4l/by-id/... followed), as fd links show it.
    private static func resolvedPath(_ path: String) -> String? {
        guard let resolved = realpath(path, nil) else { return nil }
        defer { free(resolved) }
        return String(cString: resolved)
    }
    #endif
}

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Where the log handlers write: a file descriptor, one `write` per line.
///
/// A whole line goes out in a single `write(2)` (retried only for the remainder of a short write),
/// so lines from the pipeline's threads do not interleave mid-line on a pipe or terminal.
/// No buffering: a line is out before the process can crash or be killed.
struct LogOutput: Sendable {
    let fileDescriptor: Int32

    func write(line: String) {
        var text = line
        text.append("\n")
        text.withUTF8 { buffer in
            guard var base = buffer.baseAddress else { return }
            var remaining = buffer.count
            while remaining > 0 {
                let written = systemWrite(fileDescriptor, base, remaining)
                if written < 0 {
                    if errno == EINTR { continue }
                    return  // a closed stderr must not take the pipeline down
                }
                remaining -= written
                base += written
            }
        }
    }

    private func systemWrite(_ fd: Int32, _ pointer: UnsafePointer<UInt8>, _ count: Int) -> Int {
        #if canImport(Glibc)
        Glibc.write(fd, pointer, count)
        #else
        Darwin.write(fd, pointer, count)
        #endif
    }
}

/// Timestamps for log lines, from the wall clock (they are for people and log collectors).
enum LogTimestamp {
    /// "2025-03-01T12:34:56.789Z" (UTC), for JSON lines.
    static func utcISO8601() -> String { format(utc: true, separator: "T", suffix: "Z") }

    /// "2025-03-01 12:34:56.789" (local time), for plain lines.
    static func local() -> String { format(utc: false, separator: " ", suffix: "") }

    private static func format(utc: Bool, separator: String, suffix: String) -> String {
        var now = timespec()
        clock_gettime(CLOCK_REALTIME, &now)
        var seconds = now.tv_sec
        var parts = tm()
        if utc { gmtime_r(&seconds, &parts) } else { localtime_r(&seconds, &parts) }
        func pad(_ value: Int, _ width: Int) -> String {
            let digits = String(value)
            return String(repeating: "0", count: max(0, width - digits.count)) + digits
        }
        let date = "\(pad(Int(parts.tm_year) + 1900, 4))-\(pad(Int(parts.tm_mon) + 1, 2))-\(pad(Int(parts.tm_mday), 2))"
        let time = "\(pad(Int(parts.tm_hour), 2)):\(pad(Int(parts.tm_min), 2)):\(pad(Int(parts.tm_sec), 2))"
        return date + separator + time + "." + pad(Int(now.tv_nsec) / 1_000_000, 3) + suffix
    }
}

#if canImport(Glibc)
import Glibc
#endif

/// This process's own resource use, for telemetry, leak checks and benchmarks. Allocates nothing.
public enum ProcessMemory {
    /// Resident set size in bytes, from /proc/self/statm (0 where that file cannot be read).
    public static func residentBytes() -> Int {
        let fd = open("/proc/self/statm", O_RDONLY)
        guard fd >= 0 else { return 0 }
        defer { close(fd) }
        let residentPages = withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 128) { buffer -> Int in
            let count = read(fd, buffer.baseAddress, buffer.count)
            guard count > 0 else { return 0 }
            // statm is "size resident shared ...": the second field, in pages.
            var field = 0
            var value = 0
            for byte in buffer[0..<count] {
                if byte == UInt8(ascii: " ") {
                    if field == 1 { break }
                    field += 1
                } else if field == 1, byte >= UInt8(ascii: "0"), byte <= UInt8(ascii: "9") {
                    value = value * 10 + Int(byte - UInt8(ascii: "0"))
                }
            }
            return value
        }
        return residentPages * sysconf(Int32(_SC_PAGESIZE))
    }

    /// User plus system CPU time this process has used, in seconds.
    public static func cpuSeconds() -> Double {
        var usage = rusage()
        getrusage(RUSAGE_SELF.rawValue, &usage)
        func seconds(_ t: timeval) -> Double { Double(t.tv_sec) + Double(t.tv_usec) / 1_000_000 }
        return seconds(usage.ru_utime) + seconds(usage.ru_stime)
    }
}

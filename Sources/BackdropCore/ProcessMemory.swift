#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// This process's own resource use, for telemetry, leak checks and benchmarks. Allocates nothing.
///
/// Each reading has one branch per platform: Linux reads /proc, macOS asks the Mach kernel.
public enum ProcessMemory {
    /// Resident set size in bytes (0 where the platform's reading fails).
    public static func residentBytes() -> Int {
        #if os(Linux)
        return residentBytesFromProc()
        #elseif canImport(Darwin)
        return residentBytesFromMach()
        #else
        return 0
        #endif
    }

    /// User plus system CPU time this process has used, in seconds.
    public static func cpuSeconds() -> Double {
        var usage = rusage()
        #if canImport(Glibc)
        getrusage(RUSAGE_SELF.rawValue, &usage)  // Glibc imports the `who` argument as an enum
        #else
        getrusage(RUSAGE_SELF, &usage)
        #endif
        func seconds(_ t: timeval) -> Double { Double(t.tv_sec) + Double(t.tv_usec) / 1_000_000 }
        return seconds(usage.ru_utime) + seconds(usage.ru_stime)
    }

    #if os(Linux)
    /// The second field of /proc/self/statm ("size resident shared ..."), in pages.
    private static func residentBytesFromProc() -> Int {
        let fd = open("/proc/self/statm", O_RDONLY)
        guard fd >= 0 else { return 0 }
        defer { close(fd) }
        let residentPages = withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 128) { buffer -> Int in
            let count = read(fd, buffer.baseAddress, buffer.count)
            guard count > 0 else { return 0 }
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
    #elseif canImport(Darwin)
    /// task_info's MACH_TASK_BASIC_INFO, whose resident_size is in bytes.
    private static func residentBytesFromMach() -> Int {
        var info = mach_task_basic_info()
        var count = mach_msg_type_number_t(MemoryLayout<mach_task_basic_info>.size / MemoryLayout<natural_t>.size)
        let status = withUnsafeMutablePointer(to: &info) { pointer in
            pointer.withMemoryRebound(to: integer_t.self, capacity: Int(count)) {
                task_info(mach_task_self_, task_flavor_t(MACH_TASK_BASIC_INFO), $0, &count)
            }
        }
        return status == KERN_SUCCESS ? Int(info.resident_size) : 0
    }
    #endif
}

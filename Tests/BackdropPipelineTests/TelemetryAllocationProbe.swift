#if canImport(Glibc)
import Glibc

/// glibc's `struct mallinfo2`: ten size_t fields.
struct TelemetryMallInfo2 {
    var arena = 0, ordblks = 0, smblks = 0, hblks = 0, hblkhd = 0
    var usmblks = 0, fsmblks = 0, uordblks = 0, fordblks = 0, keepcost = 0
}

/// Ways for the tests to see whether code allocates.
enum TelemetryAllocationProbe {
    /// Bytes malloc currently has handed out (mallinfo2's uordblks + hblkhd), or nil off x86_64.
    ///
    /// Glibc's Swift module does not include <malloc.h>, so mallinfo2 is found with dlsym. C returns
    /// an 80-byte struct through a hidden pointer, which on x86_64 travels in the first argument
    /// register, so it can be called as `void *f(void *result)`; on arm64 that pointer goes in x8,
    /// which Swift cannot pass, and this returns nil.
    static func mallocBytesInUse() -> Int? {
        #if arch(x86_64)
        typealias Mallinfo2 = @convention(c) (UnsafeMutableRawPointer) -> UnsafeMutableRawPointer?
        guard let symbol = dlsym(dlopen(nil, RTLD_NOW), "mallinfo2") else { return nil }
        let mallinfo2 = unsafeBitCast(symbol, to: Mallinfo2.self)
        var info = TelemetryMallInfo2()
        _ = withUnsafeMutableBytes(of: &info) { mallinfo2($0.baseAddress!) }
        return info.uordblks + info.hblkhd
        #else
        return nil
        #endif
    }

    typealias AllocObject = @convention(c) (UnsafeRawPointer?, Int, Int) -> UnsafeMutableRawPointer?

    nonisolated(unsafe) private static var original: AllocObject?
    nonisolated(unsafe) private static var countedThread = pthread_self()
    nonisolated(unsafe) private static var allocations = 0

    /// Swift heap objects (class instances, array and string buffers, boxes, closure contexts)
    /// allocated by the calling thread while `body` runs, or nil where the runtime offers no hook.
    ///
    /// Uses the runtime's instrumentation hook: `_swift_allocObject` is the function pointer
    /// `swift_allocObject` calls once `_swift_enableSwizzlingOfAllocationAndRefCountingFunctions_forInstrumentsOnly`
    /// is set. Unlike a before/after malloc total, this also sees objects freed again inside `body`.
    static func swiftAllocations(_ body: () -> Void) -> Int? {
        let process = dlopen(nil, RTLD_NOW)
        guard let hookAddress = dlsym(process, "_swift_allocObject"),
              let flagAddress = dlsym(process, "_swift_enableSwizzlingOfAllocationAndRefCountingFunctions_forInstrumentsOnly")
        else { return nil }
        let hook = hookAddress.assumingMemoryBound(to: AllocObject?.self)
        let flag = flagAddress.assumingMemoryBound(to: Bool.self)
        original = hook.pointee
        countedThread = pthread_self()
        allocations = 0
        hook.pointee = { metadata, size, alignment in
            if pthread_equal(pthread_self(), TelemetryAllocationProbe.countedThread) != 0 {
                TelemetryAllocationProbe.allocations += 1
            }
            return TelemetryAllocationProbe.original!(metadata, size, alignment)
        }
        flag.pointee = true
        body()
        flag.pointee = false
        hook.pointee = original
        return allocations
    }
}
#endif

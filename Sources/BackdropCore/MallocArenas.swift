#if canImport(Glibc)
import Glibc
#endif

/// How many heaps ("arenas") glibc's malloc keeps: one switch for long-running processes.
///
/// glibc gives threads that allocate at the same time arenas of their own, up to 8 per core. In
/// Backdrop a dozen threads (MediaPipe's graph and XNNPACK workers, FFmpeg's decoder threads, the
/// stages) allocate and free frame-sized buffers every frame; memory freed in one arena is not
/// reused by a thread attached to another, and an arena returns memory to the system only from its
/// top. The heap in use stays flat while resident memory creeps up for hours. Measured on the 720p
/// blur soak: +52 MB/hour with glibc's default arenas, flat (+0.01 MB/hour, a 0.0 MB band over
/// 13,500 frames) with one, and no slower (bench/results/exp-*.csv, BENCHMARKS.md).
///
/// So `backdrop` limits malloc to one arena as its first act, before any thread starts. A program
/// that embeds Backdrop and runs for hours should do the same at the top of `main`; it is a
/// process-wide setting, which is why the library does not make it on its own.
public enum MallocArenas {
    /// glibc's `M_ARENA_MAX` parameter for `mallopt`.
    private static let arenaMaxParameter: Int32 = -8

    /// Limits malloc to `count` arenas. Threads that already have an arena keep it, so call this
    /// before starting threads. Returns false where the C library has no `mallopt` (not glibc) or
    /// refuses the value.
    @discardableResult
    public static func limit(to count: Int) -> Bool {
        precondition(count >= 1, "malloc needs at least one arena")
        #if canImport(Glibc)
        // Glibc's Swift module does not include <malloc.h>, so mallopt is found by name.
        typealias Mallopt = @convention(c) (Int32, Int32) -> Int32
        guard let symbol = dlsym(dlopen(nil, RTLD_NOW), "mallopt") else { return false }
        return unsafeBitCast(symbol, to: Mallopt.self)(arenaMaxParameter, Int32(clamping: count)) == 1
        #else
        return false
        #endif
    }
}

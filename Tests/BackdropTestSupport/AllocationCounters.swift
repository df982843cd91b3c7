import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The functions of bench/alloc_count.c, found in the process (it is preloaded).
public struct AllocationCounters: @unchecked Sendable {
    public typealias Install = @convention(c) (Int32) -> Int32
    public typealias SetCounting = @convention(c) (Int32) -> Void
    public typealias Count = @convention(c) () -> UInt64
    public typealias Capacity = @convention(c) () -> Int32
    public typealias Record = @convention(c) (Int32, UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutableRawPointer?>?>,
                                       UnsafeMutablePointer<UnsafePointer<CChar>?>) -> Int32
    public let install: Install
    public let setCounting: SetCounting
    public let swiftAllocations: Count
    public let mallocCalls: Count
    public let capacity: Capacity
    public let record: Record
    public typealias ModuleCount = @convention(c) () -> Int32
    public typealias Module = @convention(c) (Int32, UnsafeMutablePointer<UnsafePointer<CChar>?>) -> UInt64
    public let moduleCount: ModuleCount
    public let module: Module
    public typealias IsCounting = @convention(c) () -> Int32
    public let isCounting: IsCounting

    public static func loaded() -> AllocationCounters? {
        let process = dlopen(nil, RTLD_NOW)
        func find<T>(_ name: String, _ type: T.Type) -> T? { dlsym(process, name).map { unsafeBitCast($0, to: type) } }
        guard let install = find("bac_install", Install.self), let setCounting = find("bac_set_counting", SetCounting.self),
              let swift = find("bac_swift_allocations", Count.self), let malloc = find("bac_malloc_calls", Count.self),
              let capacity = find("bac_capacity", Capacity.self), let record = find("bac_record", Record.self),
              let moduleCount = find("bac_module_count", ModuleCount.self), let module = find("bac_module", Module.self),
              let isCounting = find("bac_is_counting", IsCounting.self)
        else { return nil }
        return AllocationCounters(install: install, setCounting: setCounting, swiftAllocations: swift, mallocCalls: malloc,
                                  capacity: capacity, record: record, moduleCount: moduleCount, module: module, isCounting: isCounting)
    }
}

extension AllocationCounters {
    /// Swift heap allocations (calls into malloc from libswiftCore: objects, array and string
    /// buffers, boxes, closure contexts, UnsafeMutablePointer.allocate) made by any thread while
    /// `body` runs. Unlike comparing buffer addresses, this also sees memory freed and reallocated.
    public func countSwiftAllocations(_ body: () throws -> Void) rethrows -> Int {
        precondition(install(0) == 0, "libswiftCore.so is not loaded as a shared library")
        let before = swiftAllocations()
        setCounting(1)
        defer { setCounting(0) }
        try body()
        setCounting(0)
        return Int(swiftAllocations() - before)
    }

    /// The counting library, bench/alloc_count.c, compiled with the system C compiler into the
    /// checkout's `.cache/` the first time (scripts/proof-bench.sh builds the same file).
    public static func library(checkout: URL) throws -> String {
        let library = checkout.appendingPathComponent(".cache/libbackdrop_alloc_count.so").path
        let source = checkout.appendingPathComponent("bench/alloc_count.c").path
        if FileManager.default.fileExists(atPath: library) { return library }
        try FileManager.default.createDirectory(atPath: (library as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        let staging = library + ".\(getpid()).tmp"
        let built = try runTool("cc", ["-O2", "-shared", "-fPIC", "-o", staging, source])
        guard built.status == 0 else { throw CountingFailure(description: "cc could not build \(source): \(built.errors)") }
        rename(staging, library)
        return library
    }

    /// Runs one XCTest test of this test binary again, in a child process with the counting
    /// library preloaded (LD_PRELOAD: Linux only; elsewhere it throws), and returns what it printed. `test` is `Module.Class/method`. A test
    /// that needs counters calls this when `loaded()` is nil, and asserts on the child's result.
    public static func rerunPreloaded(_ test: String, checkout: URL) throws -> ToolRun {
        #if os(Linux)
        var environment = ProcessInfo.processInfo.environment
        environment["LD_PRELOAD"] = try library(checkout: checkout)
        return try runTool(CommandLine.arguments[0], [test], environment: environment)
        #else
        // macOS would need DYLD_INSERT_LIBRARIES and dyld interposing, which alloc_count.c does not do.
        throw CountingFailure(description: "counting allocations preloads bench/alloc_count.c with LD_PRELOAD, "
            + "which this tooling supports on Linux (glibc) only")
        #endif
    }

    /// Whether a child from `rerunPreloaded` ran its one test and it passed.
    public static func passed(_ child: ToolRun) -> Bool {
        child.status == 0 && child.stdout.contains("Executed 1 test, with 0 failures")
    }

    public struct CountingFailure: Error, CustomStringConvertible {
        public let description: String
    }
}

import Foundation

/// What a finished program left: its exit status and everything it wrote.
public struct ToolRun: Sendable {
    public var status: Int32
    public var output: Data
    public var errors: String
    public var stdout: String { String(decoding: output, as: UTF8.self) }
}

/// Runs a program to completion, the one way every test target does it. `tool` is a path, or a
/// name looked up on PATH. Its output and errors are read while it runs, so a full pipe never
/// blocks it; `input`, when given, is written to its standard input.
public func runTool(_ tool: String, _ arguments: [String], input: Data? = nil,
                    environment: [String: String]? = nil) throws -> ToolRun {
    let process = Process()
    if tool.contains("/") {
        process.executableURL = URL(fileURLWithPath: tool)
        process.arguments = arguments
    } else {
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = [tool] + arguments
    }
    if let environment { process.environment = environment }
    let output = Pipe(), errors = Pipe()
    process.standardOutput = output
    process.standardError = errors
    let stdin = input.map { _ in Pipe() }
    process.standardInput = stdin ?? FileHandle.nullDevice
    try process.run()

    final class Drained: @unchecked Sendable { var data = Data() }
    let errorData = Drained()
    let drained = DispatchSemaphore(value: 0)
    DispatchQueue.global().async {
        errorData.data = errors.fileHandleForReading.readDataToEndOfFile()
        drained.signal()
    }
    if let input, let stdin {
        let writer = stdin.fileHandleForWriting
        DispatchQueue.global().async {
            writer.write(input)
            try? writer.close()
        }
    }
    let outputData = output.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    drained.wait()
    return ToolRun(status: process.terminationStatus, output: outputData,
                   errors: String(decoding: errorData.data, as: UTF8.self))
}

/// A program started in the background, for tests that signal it part-way through.
public final class RunningTool: @unchecked Sendable {
    public let process: Process
    private let output = Pipe()
    private let errors = Pipe()

    /// Starts `tool` (a path) with `arguments`; its output and errors are kept for `wait()`.
    public init(_ tool: String, _ arguments: [String]) throws {
        process = Process()
        process.executableURL = URL(fileURLWithPath: tool)
        process.arguments = arguments
        process.standardOutput = output
        process.standardError = errors
        process.standardInput = FileHandle.nullDevice
        try process.run()
    }

    public var isRunning: Bool { process.isRunning }

    public func send(_ signal: Int32) { kill(process.processIdentifier, signal) }

    /// Waits for the program to end and returns what it wrote. The pipes are read to their end
    /// first, on two threads, so a chatty program cannot block on a full pipe.
    public func wait() -> ToolRun {
        final class Drained: @unchecked Sendable { var data = Data() }
        let errorData = Drained()
        let drained = DispatchSemaphore(value: 0)
        let errors = self.errors
        DispatchQueue.global().async {
            errorData.data = errors.fileHandleForReading.readDataToEndOfFile()
            drained.signal()
        }
        let outputData = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        drained.wait()
        return ToolRun(status: process.terminationStatus, output: outputData,
                       errors: String(decoding: errorData.data, as: UTF8.self))
    }
}

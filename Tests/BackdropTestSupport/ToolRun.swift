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
    /// Standard error is read from the start, so a test can watch it while the program runs
    /// (`errorsSoFar`) and a chatty program never blocks on a full pipe.
    private let errorsLock = NSLock()
    private var errorData = Data()
    private let errorsRead = DispatchGroup()

    /// Starts `tool` (a path) with `arguments`; its output and errors are kept for `wait()`.
    public init(_ tool: String, _ arguments: [String]) throws {
        process = Process()
        process.executableURL = URL(fileURLWithPath: tool)
        process.arguments = arguments
        process.standardOutput = output
        process.standardError = errors
        process.standardInput = FileHandle.nullDevice
        try process.run()
        let reader = errors.fileHandleForReading
        errorsRead.enter()
        DispatchQueue.global().async { [self] in
            while case let chunk = reader.availableData, !chunk.isEmpty {
                errorsLock.withLock { errorData.append(chunk) }
            }
            errorsRead.leave()
        }
    }

    public var isRunning: Bool { process.isRunning }

    public func send(_ signal: Int32) { kill(process.processIdentifier, signal) }

    /// What the program has written to standard error until now, while it runs.
    public var errorsSoFar: String { errorsLock.withLock { String(decoding: errorData, as: UTF8.self) } }

    /// Waits for the program to end and returns what it wrote (its output is read to the end
    /// first, its errors are being read already).
    public func wait() -> ToolRun {
        let outputData = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        errorsRead.wait()
        return ToolRun(status: process.terminationStatus, output: outputData, errors: errorsSoFar)
    }
}

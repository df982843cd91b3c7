import Foundation

/// A `backdrop run ... --serve 127.0.0.1:0` in the background, for the studio's tests: finds the port
/// from the line the tool prints (`studio listening on http://127.0.0.1:PORT/`), then talks to it.
public final class StudioRun: @unchecked Sendable {
    public let process: Process
    public let port: Int
    /// Where the tool's standard error goes (read it with `errors`).
    public let errorsFile: URL
    private let outputFile: URL

    /// Starts `backdrop` (a path) with `arguments` (which must include `--serve HOST:0`) in `folder`,
    /// and waits up to `timeout` seconds for the studio to listen; throws with the tool's errors if it
    /// exits or never listens.
    public init(backdrop: String, _ arguments: [String], in folder: URL, environment: [String: String]? = nil,
                timeout: TimeInterval = 120) throws {
        errorsFile = folder.appendingPathComponent("studio-run-\(UUID().uuidString.prefix(6)).err")
        outputFile = errorsFile.deletingPathExtension().appendingPathExtension("out")
        FileManager.default.createFile(atPath: errorsFile.path, contents: nil)
        FileManager.default.createFile(atPath: outputFile.path, contents: nil)
        let process = Process()
        self.process = process
        process.executableURL = URL(fileURLWithPath: backdrop)
        process.arguments = arguments
        process.currentDirectoryURL = folder
        if let environment { process.environment = environment }
        process.standardError = try FileHandle(forWritingTo: errorsFile)
        process.standardOutput = try FileHandle(forWritingTo: outputFile)
        process.standardInput = FileHandle.nullDevice
        try process.run()
        var found: Int?
        let errorsFile = self.errorsFile
        _ = poll(timeout: timeout, every: 0.05) {
            let text = (try? String(contentsOf: errorsFile, encoding: .utf8)) ?? ""
            if let range = text.range(of: #"studio listening on http://[^:]+:(\d+)/"#, options: .regularExpression) {
                found = Int(text[range].split(separator: ":").last!.dropLast())
            }
            return found != nil || !process.isRunning
        }
        guard let found else {
            if process.isRunning { process.interrupt() }
            process.waitUntilExit()
            let text = (try? String(contentsOf: errorsFile, encoding: .utf8)) ?? ""
            throw HTTPTestClient.Failure.connect("the studio never listened (exit \(process.terminationStatus)): \(text.suffix(2000))")
        }
        port = found
    }

    deinit {
        if process.isRunning {
            process.interrupt()
            process.waitUntilExit()
        }
    }

    public var errors: String { (try? String(contentsOf: errorsFile, encoding: .utf8)) ?? "" }
    public var output: String { (try? String(contentsOf: outputFile, encoding: .utf8)) ?? "" }

    public func request(_ method: String, _ path: String, headers: [String: String] = [:], body: Data? = nil,
                        host: String? = nil, maximumBytes: Int = 64 * 1_048_576) throws -> HTTPTestClient.Response {
        try HTTPTestClient.request(port: port, method, path, headers: headers, body: body, host: host, maximumBytes: maximumBytes)
    }

    public func json(_ path: String, headers: [String: String] = [:]) throws -> [String: Any] {
        try HTTPTestClient.getJSON(port: port, path, headers: headers)
    }

    /// `PATCH /api/settings` with `json` (a JSON text) as the page sends it.
    public func patchSettings(_ json: String, headers: [String: String] = [:]) throws -> HTTPTestClient.Response {
        try request("PATCH", "/api/settings", headers: ["Content-Type": "application/json"].merging(headers) { $1 },
                    body: Data(json.utf8))
    }

    /// Frames output so far, from `/api/state`'s latest sample.
    public func framesOutput(headers: [String: String] = [:]) throws -> Int {
        ((try json("/api/state", headers: headers)["latest"] as? [String: Any])?["frames_output"] as? Int) ?? 0
    }

    /// Sends `signal` (SIGINT by default) and waits for the tool to end; returns its exit status.
    @discardableResult
    public func stop(_ signal: Int32 = SIGINT) -> Int32 {
        if process.isRunning { kill(process.processIdentifier, signal) }
        process.waitUntilExit()
        return process.terminationStatus
    }
}

import Foundation
import XCTest

/// swift-log's rule for libraries: take the app's Logger, never make one or bootstrap the system.
/// Only the CLI (BackdropCLI, backdrop, backdrop-bench) may; the library targets' sources are read
/// here and any line that does fails the test, naming the file and line.
final class LibraryLoggingTests: XCTestCase {
    static let libraryTargets = ["BackdropCore", "BackdropMediaPipe", "BackdropMedia", "BackdropEffects", "BackdropPipeline"]
    static let forbidden = ["Logger(label:", "LoggingSystem.bootstrap"]

    func testNoLibraryTargetMakesALoggerOrBootstrapsLogging() throws {
        // This file is Tests/BackdropPipelineTests/LibraryLoggingTests.swift: three levels below the package root.
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        var filesRead = 0
        var offences: [String] = []
        for target in Self.libraryTargets {
            let folder = root.appendingPathComponent("Sources/\(target)")
            let enumerator = try XCTUnwrap(FileManager.default.enumerator(at: folder, includingPropertiesForKeys: nil),
                                           "no Sources/\(target) under \(root.path)")
            for case let file as URL in enumerator where file.pathExtension == "swift" {
                filesRead += 1
                let lines = try String(contentsOf: file, encoding: .utf8).components(separatedBy: "\n")
                for (number, line) in lines.enumerated() where Self.forbidden.contains(where: line.contains) {
                    offences.append("Sources/\(target)/\(file.lastPathComponent):\(number + 1): \(line.trimmingCharacters(in: .whitespaces))")
                }
            }
        }
        XCTAssertGreaterThan(filesRead, 50, "the library sources were found and read")
        XCTAssertEqual(offences, [], "library code makes a Logger or bootstraps logging; take a Logger from the caller instead:\n"
                                     + offences.joined(separator: "\n"))
    }
}

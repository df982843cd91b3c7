import BackdropCore
import XCTest

/// The pipeline sees media only through BackdropCore's protocols, so an app can feed it frames
/// from anywhere and the pipeline links no FFmpeg: neither BackdropPipeline nor any target it
/// depends on (directly or not) may depend on BackdropMedia or CFFmpeg, and no pipeline source
/// file may import them.
final class LayeringTests: XCTestCase {
    private let forbidden: Set<String> = ["BackdropMedia", "CFFmpeg"]

    func testThePipelineDependsOnNeitherBackdropMediaNorFFmpeg() throws {
        let root = try XCTUnwrap(Checkout.root())
        let manifest = try String(contentsOf: root.appendingPathComponent("Package.swift"), encoding: .utf8)
        let graph = Self.targetDependencies(in: manifest)
        XCTAssertNotNil(graph["BackdropPipeline"], "Package.swift declares the BackdropPipeline target")
        XCTAssertEqual(graph["BackdropMedia"], ["CFFmpeg", "BackdropCore"], "the reading of Package.swift sees BackdropMedia's dependencies")

        var reached: Set<String> = [], pending = ["BackdropPipeline"]
        while let target = pending.popLast() {
            for dependency in graph[target] ?? [] where reached.insert(dependency).inserted { pending.append(dependency) }
        }
        XCTAssertTrue(reached.contains("BackdropCore"))
        XCTAssertEqual(reached.intersection(forbidden), [], "BackdropPipeline reaches \(reached.sorted())")
    }

    func testNoPipelineSourceImportsBackdropMediaOrFFmpeg() throws {
        let folder = try XCTUnwrap(Checkout.root()).appendingPathComponent("Sources/BackdropPipeline")
        let files = try XCTUnwrap(FileManager.default.enumerator(at: folder, includingPropertiesForKeys: nil))
            .compactMap { $0 as? URL }.filter { $0.pathExtension == "swift" }
        XCTAssertGreaterThan(files.count, 5)
        for file in files {
            for line in try String(contentsOf: file, encoding: .utf8).split(separator: "\n") {
                let words = line.split(separator: " ").map(String.init)
                guard let at = words.firstIndex(of: "import"), at + 1 < words.count else { continue }
                XCTAssertFalse(forbidden.contains(words[at + 1]), "\(file.lastPathComponent): \(line)")
            }
        }
    }

    /// The folder layout is the architecture: each library target depends only on targets below it
    /// (the order of Package.swift's header comment), so the studio never reaches the command line
    /// and nothing below the studio reaches the web server.
    func testEveryLayerDependsOnlyOnLayersBelowIt() throws {
        let layers = ["CMediaPipe", "CFFmpeg", "CPixelKernels", "BackdropCore", "BackdropMediaPipe", "BackdropMedia", "BackdropEffects",
                      "BackdropPipeline", "BackdropStudio", "BackdropCLI"]
        let manifest = try String(contentsOf: try XCTUnwrap(Checkout.root()).appendingPathComponent("Package.swift"), encoding: .utf8)
        let graph = Self.targetDependencies(in: manifest)
        for (height, target) in layers.enumerated() {
            // A system library (CFFmpeg) has no target dependencies.
            let dependencies = try XCTUnwrap(graph[target] ?? (target == "CFFmpeg" ? [] : nil), "Package.swift declares \(target)")
            for dependency in dependencies where layers.contains(dependency) {
                XCTAssertLessThan(layers.firstIndex(of: dependency)!, height, "\(target) depends on \(dependency), which is not below it")
            }
        }
        XCTAssertEqual(graph["BackdropStudio"].map { Set($0).isSuperset(of: ["BackdropPipeline", "Hummingbird"]) }, true)
    }

    /// Each target's name and the quoted names in its `dependencies: [...]` (products too:
    /// `.product(name: "Logging", ...)` gives "Logging" and its package's name, which matches no target).
    static func targetDependencies(in manifest: String) -> [String: [String]] {
        var graph: [String: [String]] = [:]
        for match in manifest.matches(of: /\.(?:target|executableTarget|testTarget)\(name:\s*"([^"]+)"/) {
            let target = String(match.1)
            let rest = manifest[match.range.upperBound...]
            // This target's own arguments end where the next target starts.
            let end = rest.firstMatch(of: /\.(?:target|executableTarget|testTarget|systemLibrary)\(name:/)?.range.lowerBound ?? rest.endIndex
            let arguments = rest[..<end]
            guard let opening = arguments.range(of: "dependencies: [") else {
                graph[target] = []
                continue
            }
            var depth = 1, index = opening.upperBound
            while index < arguments.endIndex, depth > 0 {
                if arguments[index] == "[" { depth += 1 } else if arguments[index] == "]" { depth -= 1 }
                index = arguments.index(after: index)
            }
            let list = arguments[opening.upperBound..<index]
            graph[target] = list.matches(of: /"([^"]+)"/).map { String($0.1) }
        }
        return graph
    }
}

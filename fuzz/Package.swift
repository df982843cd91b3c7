// swift-tools-version: 6.1
// The fuzzing harnesses (libFuzzer), a package of their own so the main package's build and tests
// are untouched. scripts/fuzz.sh builds them with `-sanitize=fuzzer,address` and runs them; built
// without it they are plain executables that run each file named on the command line once.
import Foundation
import PackageDescription

// A path dependency is identified by its folder's name (the checkout's, whatever it is called).
let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
let backdrop = root.lastPathComponent

let package = Package(
    name: "BackdropFuzz",
    platforms: [.macOS(.v15)],
    dependencies: [
        .package(path: ".."),
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/apple/swift-log", from: "1.6.0"),
    ],
    targets: [
        .target(name: "CFuzzer"),
        .target(name: "FuzzSupport", dependencies: ["CFuzzer"]),
        // (a) a video file through FFmpegVideoSource (every frame) and a tiny Pipeline
        .executableTarget(name: "FuzzVideoSource", dependencies: [
            "FuzzSupport", .product(name: "Backdrop", package: backdrop),
            .product(name: "Logging", package: "swift-log"),
        ]),
        // (b) a still image through ImageFile.read (what `backdrop segment` decodes)
        .executableTarget(name: "FuzzImageFile", dependencies: ["FuzzSupport", .product(name: "Backdrop", package: backdrop)]),
        // (c) the command line: BackdropCommand.parseAsRoot, parse and validate only
        .executableTarget(name: "FuzzArguments", dependencies: [
            "FuzzSupport", .product(name: "Backdrop", package: backdrop),
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
        ]),
    ]
)

// swift-tools-version: 6.1
import PackageDescription

// Layers, bottom to top (each folder under Sources/ says what it owns in its README.md):
//   CMediaPipe, CFFmpeg          C declarations and shims
//   CPixelKernels                vectorised per-pixel loops in C (used by BackdropEffects)
//   BackdropCore                 pixel images, masks, frames; the source, sink and packet protocols
//   BackdropMediaPipe            the MediaPipe Tasks binding (segmenter, face landmarker)
//   BackdropMedia                media I/O on FFmpeg (the only layer that knows it): sources, sinks, looping, camera gating
//   BackdropEffects              what is drawn on frames
//   BackdropPipeline             source -> inference -> effect -> sinks, threads, hand-offs, telemetry
//   BackdropStudio               the studio: a web page and HTTP API that show and steer a running pipeline, /metrics
//   BackdropCLI                  the command-line tool's commands and option validation
//   backdrop                     the executable (main.swift)
let package = Package(
    name: "Backdrop",
    platforms: [.macOS(.v15)],
    products: [
        .library(name: "Backdrop", targets: ["BackdropCore", "BackdropMediaPipe", "BackdropMedia", "BackdropEffects", "BackdropPipeline", "BackdropStudio", "BackdropCLI"]),
        .executable(name: "backdrop", targets: ["backdrop"]),
        .executable(name: "backdrop-bench", targets: ["backdrop-bench"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/apple/swift-log", from: "1.6.0"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.13.0"),
        .package(url: "https://github.com/apple/swift-metrics", from: "2.13.0"),
        .package(url: "https://github.com/HdrHistogram/hdrhistogram-swift", from: "0.2.0"),
        .package(url: "https://github.com/swiftlang/swift-docc-plugin", from: "1.5.0"),
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.0"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.81.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus", from: "2.4.0"),
        .package(url: "https://github.com/LebJe/TOMLKit", from: "0.6.0"),
    ],
    targets: [
        .target(name: "CMediaPipe", exclude: ["README.md"], linkerSettings: [.linkedLibrary("dl", .when(platforms: [.linux]))]),
        .systemLibrary(name: "CFFmpeg", pkgConfig: "libavformat libavcodec libavdevice libswscale libavutil",
                       providers: [.apt(["libavformat-dev", "libavcodec-dev", "libavdevice-dev", "libswscale-dev", "libavutil-dev"]),
                                   .brew(["ffmpeg"])]),
        .target(name: "CPixelKernels", exclude: ["README.md"]),
        .target(name: "BackdropCore", exclude: ["README.md"]),
        .target(name: "BackdropMediaPipe", dependencies: ["CMediaPipe", "BackdropCore"], exclude: ["README.md"]),
        .target(name: "BackdropMedia", dependencies: ["CFFmpeg", "BackdropCore"], exclude: ["README.md"]),
        .target(name: "BackdropEffects", dependencies: ["CPixelKernels", "BackdropCore", "BackdropMediaPipe"], exclude: ["README.md"]),
        // The pipeline sees media only through Core's protocols: it neither imports nor links FFmpeg.
        .target(name: "BackdropPipeline", dependencies: [
            "BackdropCore", "BackdropMediaPipe", "BackdropEffects",
            .product(name: "Logging", package: "swift-log"),
            .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            .product(name: "Metrics", package: "swift-metrics"),
            .product(name: "Histogram", package: "hdrhistogram-swift"),
        ], exclude: ["README.md"]),
        // The studio serves a running pipeline over HTTP (Hummingbird); JPEG previews come from the media layer.
        .target(name: "BackdropStudio", dependencies: [
            "BackdropCore", "BackdropMedia", "BackdropEffects", "BackdropPipeline",
            .product(name: "Hummingbird", package: "hummingbird"),
            .product(name: "HummingbirdCore", package: "hummingbird"),
            .product(name: "NIOCore", package: "swift-nio"),
            .product(name: "NIOPosix", package: "swift-nio"),
            .product(name: "Prometheus", package: "swift-prometheus"),
            .product(name: "Logging", package: "swift-log"),
            .product(name: "Metrics", package: "swift-metrics"),
            .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
        ], exclude: ["README.md"]),
        .target(name: "BackdropCLI", dependencies: [
            "BackdropCore", "BackdropMediaPipe", "BackdropMedia", "BackdropEffects", "BackdropPipeline", "BackdropStudio",
            .product(name: "TOMLKit", package: "TOMLKit"),
            .product(name: "Prometheus", package: "swift-prometheus"),
            .product(name: "Metrics", package: "swift-metrics"),
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
            .product(name: "Logging", package: "swift-log"),
            .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            .product(name: "UnixSignals", package: "swift-service-lifecycle"),
        ], exclude: ["README.md"]),
        .executableTarget(name: "backdrop", dependencies: ["BackdropCLI", "BackdropCore"], exclude: ["README.md"]),
        // backdrop-bench shares the allocation counters' bindings with the tests (BackdropTestSupport).
        .executableTarget(name: "backdrop-bench", dependencies: [
            "BackdropMediaPipe", "BackdropMedia", "BackdropEffects", "BackdropPipeline", "BackdropCLI", "BackdropTestSupport",
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
            .product(name: "Logging", package: "swift-log"),
        ], exclude: ["README.md"]),
        // Integration tests on the real MediaPipe runtime, models and media (set-up provides them).
        .testTarget(name: "BackdropTests", dependencies: ["BackdropMediaPipe", "BackdropMedia", "BackdropTestSupport", "backdrop"]),
        // backdrop-bench is a dependency so its `write-synthetic` hook is built for the kill and signal tests.
        // Helpers every test target shares (running programs, polling, ports, allocation counters), so none keeps its own copy.
        .target(name: "BackdropTestSupport", dependencies: ["BackdropCore"], path: "Tests/BackdropTestSupport"),
        .testTarget(name: "BackdropPipelineTests", dependencies: [
            "BackdropPipeline", "BackdropMedia", "BackdropCLI", "BackdropTestSupport", "backdrop",
            .product(name: "MetricsTestKit", package: "swift-metrics"),
        ]),
        .testTarget(name: "BackdropMediaTests", dependencies: ["BackdropMedia", "BackdropTestSupport", "backdrop-bench"]),
        // The studio's server, page and browser tests (headless Chromium through chromedriver).
        .testTarget(name: "BackdropStudioTests", dependencies: [
            "BackdropStudio", "BackdropPipeline", "BackdropMedia", "BackdropTestSupport", "backdrop",
        ]),
        .testTarget(name: "BackdropEffectsTests", dependencies: ["BackdropEffects", "BackdropMedia", "BackdropMediaPipe", "BackdropTestSupport"]),
    ]
)

import BackdropCore
import BackdropPipeline
import Foundation
import Hummingbird
import HummingbirdCore
import Logging
import NIOCore
import NIOPosix
import Prometheus
import ServiceLifecycle
import Synchronization

/// Backdrop Studio: a web page and an HTTP API that show and steer a running ``Pipeline``, and
/// `/metrics` for Prometheus. A swift-service-lifecycle `Service`: run it in the same
/// `ServiceGroup` as the pipeline, listed before it, so that at shutdown the pipeline finishes
/// its outputs first and the studio answers until then.
///
/// Serving never slows the frame path: the preview is made on the studio's own thread, only while
/// someone watches (``PreviewStreamer``); a sample of the telemetry is taken once a second for
/// the charts; settings changes go through `Pipeline.update(...)`, which the source stage picks up
/// at the next frame.
///
/// Endpoints: `/` (the page), `/preview?view=output|input|mask` (MJPEG), `/preview.jpg`,
/// `/api/state`, `/api/history`, `/api/events` (server-sent events), `PATCH /api/settings`,
/// `GET|POST /api/backgrounds`, `/healthz`, `/metrics`, `/login`.
public final class Studio: Service, Sendable {
    public let configuration: StudioConfiguration
    public let backgrounds: BackgroundStore
    let pipeline: Pipeline
    let settings: SettingsController
    let history: TelemetryHistory
    let preview: PreviewStreamer
    /// `event: ...` blocks for the page's event stream.
    let events = EventBroadcaster<[UInt8]>(bufferingNewest: 32)
    let registry: PrometheusCollectorRegistry?
    let sourceStatus: SourceStatus?
    let logger: Logger?
    private let onListening: (@Sendable (String) -> Void)?
    private let startedAt = TelemetryClock.now()
    /// The server's own event loop and the thread its handlers run on, both at background priority:
    /// serving takes only the CPU the pipeline's stage threads leave.
    private let eventLoops = MultiThreadedEventLoopGroup(numberOfThreads: 1)
    let handlers = BackgroundExecutor(name: "backdrop.studio")
    private let boundPort = Atomic<Int>(-1)

    /// Largest JSON body accepted.
    static let maximumJSONBytes = 64 * 1024

    /// - Parameters:
    ///   - registry: where `/metrics` reads from: the registry of the `PrometheusMetricsFactory` the
    ///     pipeline publishes to (nil: `/metrics` answers 404).
    ///   - backgroundID: the store id of the image the run's replace effect started with.
    ///   - sourceStatus: what the source says about reconnecting (for `/healthz`).
    ///   - onListening: called with the page's URL once the server listens (port 0 is resolved).
    /// Throws ``StudioError/insecure(_:)`` for a reachable address without a strong token.
    public init(pipeline: Pipeline, configuration: StudioConfiguration, backgrounds: BackgroundStore = BackgroundStore(),
                backgroundID: String? = nil, registry: PrometheusCollectorRegistry? = nil,
                sourceStatus: SourceStatus? = nil, logger: Logger? = nil,
                onListening: (@Sendable (String) -> Void)? = nil) throws(StudioError) {
        if let problem = configuration.securityProblem { throw .insecure(problem) }
        self.pipeline = pipeline
        self.configuration = configuration
        self.backgrounds = backgrounds
        self.registry = registry
        self.sourceStatus = sourceStatus
        self.logger = logger
        self.onListening = onListening
        history = TelemetryHistory(capacity: configuration.historySeconds)
        preview = PreviewStreamer(tap: pipeline.preview, maxWidth: configuration.previewMaxWidth,
                                  quality: configuration.previewQuality, logger: logger)
        let events = self.events
        settings = SettingsController(pipeline: pipeline, backgrounds: backgrounds, initialBackgroundID: backgroundID) { applied in
            logger?.info("studio: settings changed: \(applied)")
            events.yield(Self.event("settings", applied))
        }
    }

    /// The port the server listens on, once it does (nil before).
    public var port: Int? {
        let port = boundPort.load(ordering: .relaxed)
        return port >= 0 ? port : nil
    }

    /// Applies a settings change as `PATCH /api/settings` does (the same checks): for an app or a
    /// config-file reload that wants the page to show where a change came from.
    public func apply(_ patch: SettingsPatch) -> Result<StudioSettings, SettingsRejection> { settings.apply(patch) }

    /// The settings in force, as the page shows them.
    public var currentSettings: StudioSettings { settings.current }

    /// Whether frames flow, as `/healthz` answers.
    public func health(now: Double = TelemetryClock.now()) -> Health {
        let (since, frames) = history.secondsSinceProgress(now: now)
        let limit = configuration.healthTimeout.seconds
        let reason: String? = if pipeline.isFinished {
            "the run has finished"
        } else if let reconnecting = sourceStatus?.reconnecting {
            "the source is reconnecting (\(reconnecting))"
        } else if since > limit {
            frames == 0
                ? "no frame has been output yet, \(Int(since)) s after the start (the limit is \(limit) s)"
                : "no frame has been output for \(Int(since)) s (the limit is \(limit) s)"
        } else {
            nil
        }
        return Health(reason: reason, framesOutput: max(frames, pipeline.framesOutput), secondsSinceLastFrame: since)
    }

    public func run() async throws {
        preview.start()
        eventLoops.next().execute { CurrentThread.lowerPriority() }
        defer {
            preview.stop()
            backgrounds.removeAll()
            handlers.shutdown()
            eventLoops.shutdownGracefully { _ in }
        }
        let address = configuration.address
        let app = Application(
            router: makeRouter(),
            configuration: ApplicationConfiguration(
                address: .hostname(address.host, port: address.port), serverName: nil,
                availableConnectionsDelegate: MaximumAvailableConnections(64)),
            onServerRunning: { [self] channel in
                let port = channel.localAddress?.port ?? address.port
                boundPort.store(port, ordering: .relaxed)
                let host = address.host.contains(":") ? "[\(address.host)]" : address.host
                let url = "http://\(host):\(port)/"
                logger?.notice("studio listening on \(url)")
                onListening?(url)
            },
            eventLoopGroupProvider: .shared(eventLoops),
            logger: Logger(label: "backdrop.studio.http", factory: { _ in SwiftLogNoOpLogHandler() }))
        try await withGracefulShutdownHandler {
            try await withThrowingDiscardingTaskGroup { group in
                group.addTask { try await app.run() }
                group.addTask { [self] in await sampleEverySecond() }
            }
        } onGracefulShutdown: { [self] in
            // Streams never end by themselves; the server's graceful shutdown waits for them.
            events.finishAll()
            preview.stop()
        }
    }

    /// Once a second until shutdown: a telemetry sample for the charts and the event stream, and a
    /// settings event when something else (a config reload) changed them.
    private func sampleEverySecond() async {
        _ = pipeline.telemetry.sample()  // opens the sample window
        var announced = settings.current
        while !Task.isCancelled && !Task.isShuttingDownGracefully {
            do { try await Task.sleep(for: .seconds(1)) } catch { return }
            let sample = pipeline.telemetry.sample()
            history.append(sample)
            events.yield(Self.event("sample", sample))
            let current = settings.current
            if current != announced {
                announced = current
                events.yield(Self.event("settings", current))
            }
        }
    }

    var uptimeSeconds: Double { TelemetryClock.now() - startedAt }

    /// One server-sent event block.
    static func event(_ name: String, _ value: some Encodable) -> [UInt8] {
        Array("event: \(name)\ndata: ".utf8) + JSONResponse.encode(value) + Array("\n\n".utf8)
    }
}

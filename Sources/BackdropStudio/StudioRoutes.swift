import BackdropPipeline
import Foundation
import Hummingbird

/// The studio's endpoints (listed on ``Studio``), each a few lines over the studio's parts.
extension Studio {
    func makeRouter() -> Router<BasicRequestContext> {
        let router = Router()
        router.add(middleware: JSONErrorMiddleware())
        router.add(middleware: StudioAccess(token: configuration.token, address: configuration.address,
                                            boundPort: { [weak self] in self?.port }))

        router.get("/") { _, _ in JSONResponse.bytes(Array(StudioPage.html.utf8), contentType: "text/html; charset=utf-8") }
        router.get("/login") { _, _ in JSONResponse.bytes(Array(LoginPage.html(failed: false).utf8), contentType: "text/html; charset=utf-8") }
        router.post("/login") { [self] request, _ in try await login(request) }

        router.get("/preview") { [self] request, _ in
            guard let view = try previewView(request) else { return badView() }
            return mjpeg(preview.watch(view))
        }
        router.get("/preview.jpg") { [self] request, _ in
            guard let view = try previewView(request) else { return badView() }
            return await singleFrame(view)
        }

        router.get("/api/state") { [self] _, _ in JSONResponse.ok(state()) }
        router.get("/api/history") { [self] _, _ in
            JSONResponse.ok(History(intervalSeconds: 1, samples: history.samples))
        }
        router.get("/api/events") { [self] _, _ in eventStream() }
        router.patch("/api/settings") { [self] request, _ in
            var request = request
            let body = try await request.collectBody(upTo: Self.maximumJSONBytes)
            guard Self.isJSON(request) else {
                return JSONResponse.error(.unsupportedMediaType, "send the settings as JSON (Content-Type: application/json)")
            }
            let parsed = SettingsPatch.parse(json: body.readableBytesView, backgroundExists: backgrounds.contains)
            switch parsed.flatMap({ settings.apply($0) }) {
            case .success(let applied): return JSONResponse.ok(applied)
            case .failure(let rejection): return JSONResponse.ok(rejection, status: .badRequest)
            }
        }
        router.get("/api/backgrounds") { [self] _, _ in JSONResponse.ok(backgrounds.entries) }
        router.post("/api/backgrounds") { [self] request, _ in try await upload(request) }

        router.get("/healthz") { [self] _, _ in
            let health = health()
            return JSONResponse.ok(health, status: health.ok ? .ok : .serviceUnavailable)
        }
        router.get("/metrics") { [self] _, _ in
            guard let registry else { return JSONResponse.error(.notFound, "this run collects no metrics") }
            return JSONResponse.bytes(registry.emitToBuffer(), contentType: "text/plain; version=0.0.4; charset=utf-8")
        }
        return router
    }

    private struct History: Encodable {
        var intervalSeconds: Int
        var samples: [TelemetrySample]
        enum CodingKeys: String, CodingKey {
            case intervalSeconds = "interval_seconds"
            case samples
        }
    }

    func state() -> StudioState {
        StudioState(settings: settings.current,
                    run: .init(description: configuration.run, uptimeSeconds: (uptimeSeconds * 10).rounded() / 10,
                               finished: pipeline.isFinished),
                    latest: history.latest, summary: pipeline.summary, health: health(), backgrounds: backgrounds.entries)
    }

    private static func isJSON(_ request: Request) -> Bool {
        request.headers[.contentType].map { $0.lowercased().hasPrefix("application/json") } ?? false
    }

    private func previewView(_ request: Request) throws -> PreviewView? {
        guard let name = request.uri.queryParameters["view"] else { return .output }
        return PreviewView(rawValue: String(name))
    }

    private func badView() -> Response {
        JSONResponse.error(.badRequest, "no such view", fields: ["view": "must be one of output, input, mask"])
    }

    /// `multipart/x-mixed-replace`: each part one JPEG, as browsers show in an <img>.
    private func mjpeg(_ frames: AsyncStream<[UInt8]>) -> Response {
        var headers = HTTPFields()
        headers[.contentType] = "multipart/x-mixed-replace; boundary=frame"
        headers[.cacheControl] = "no-store"
        return Response(status: .ok, headers: headers, body: ResponseBody { writer in
            for await jpeg in frames {
                var part = ByteBuffer()
                part.writeString("--frame\r\nContent-Type: image/jpeg\r\nContent-Length: \(jpeg.count)\r\n\r\n")
                part.writeBytes(jpeg)
                part.writeString("\r\n")
                try await writer.write(part)  // throws when the viewer has gone: the stream then ends
            }
            try await writer.finish(nil)
        })
    }

    /// The next preview frame of `view`, waiting up to 2 s.
    private func singleFrame(_ view: PreviewView) async -> Response {
        let frames = preview.watch(view)
        let first = await withTaskGroup(of: [UInt8]?.self) { group in
            group.addTask { for await jpeg in frames { return jpeg }; return nil }
            group.addTask { try? await Task.sleep(for: .seconds(2)); return nil }
            let first = await group.next() ?? nil
            group.cancelAll()
            return first
        }
        guard let jpeg = first else {
            return JSONResponse.error(.serviceUnavailable, "no \(view.rawValue) frame arrived within 2 s: is the run still going?")
        }
        return JSONResponse.bytes(jpeg, contentType: "image/jpeg")
    }

    private func eventStream() -> Response {
        let stream = events.subscribe()
        var headers = HTTPFields()
        headers[.contentType] = "text/event-stream"
        headers[.cacheControl] = "no-store"
        let opening = Self.event("settings", settings.current)
        return Response(status: .ok, headers: headers, body: ResponseBody { writer in
            try await writer.write(ByteBuffer(bytes: opening))
            for await block in stream { try await writer.write(ByteBuffer(bytes: block)) }
            try await writer.finish(nil)
        })
    }

    private func upload(_ request: Request) async throws -> Response {
        var request = request
        let limit = backgrounds.maximumBytes
        let body: ByteBuffer
        do {
            body = try await request.collectBody(upTo: limit)
        } catch let error as HTTPResponseError where error.status == .contentTooLarge {
            return JSONResponse.error(.contentTooLarge, "the upload is over the limit of \(limit / 1_048_576) MB: send a smaller image")
        }
        let name = request.uri.queryParameters["name"].map(String.init) ?? "upload"
        do {
            let entry = try backgrounds.add(Array(body.readableBytesView), name: name)
            logger?.info("studio: background \(entry.id) uploaded (\(entry.name), \(entry.width)x\(entry.height))")
            return JSONResponse.ok(entry, status: .created)
        } catch {
            let status: HTTPResponse.Status = switch error {
            case .tooLarge: .contentTooLarge
            case .notAnImage: .unsupportedMediaType
            case .full: .conflict
            case .storeUnavailable: .internalServerError
            default: .unprocessableContent
            }
            return JSONResponse.error(status, error.description)
        }
    }

    private func login(_ request: Request) async throws -> Response {
        var request = request
        let body = try await request.collectBody(upTo: 4096)
        let form = String(decoding: body.readableBytesView, as: UTF8.self)
        let given = form.split(separator: "&").compactMap { pair -> String? in
            let parts = pair.split(separator: "=", maxSplits: 1)
            guard parts.count == 2, parts[0] == "token" else { return nil }
            return String(parts[1]).replacingOccurrences(of: "+", with: " ").removingPercentEncoding
        }.first
        guard let token = configuration.token else {
            return redirect(to: "/", cookie: nil)  // no token needed here
        }
        guard let given, StudioAccess<BasicRequestContext>.constantTimeEqual(given, token) else {
            return JSONResponse.bytes(Array(LoginPage.html(failed: true).utf8), status: .unauthorized,
                                      contentType: "text/html; charset=utf-8")
        }
        return redirect(to: "/", cookie: "\(StudioAccess<BasicRequestContext>.cookieName)=\(token); HttpOnly; SameSite=Strict; Path=/")
    }

    private func redirect(to location: String, cookie: String?) -> Response {
        var headers = HTTPFields()
        headers[.location] = location
        if let cookie { headers[.setCookie] = cookie }
        return Response(status: .seeOther, headers: headers)
    }
}

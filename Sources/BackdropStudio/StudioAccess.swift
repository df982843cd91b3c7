import Foundation
import Hummingbird

/// Who may use the studio, checked before every route:
/// - The Host header must name the address served (a loopback server answers only to a loopback
///   name), so a web page elsewhere cannot reach it by pointing a DNS name at 127.0.0.1.
/// - With a token, every request but the login form's must carry it: `Authorization: Bearer TOKEN`
///   or the `backdrop_token` cookie the login form sets. A browser asking for a page without it is
///   sent to /login; anything else gets 401.
/// - A request that changes state (anything but GET and HEAD) must be same-origin: an `Origin`
///   header, when sent, must be this server's, and `Sec-Fetch-Site: cross-site` is refused. No CORS
///   headers are ever sent, so no other origin can read an answer.
struct StudioAccess<Context: RequestContext>: RouterMiddleware {
    static var cookieName: String { "backdrop_token" }

    let token: String?
    let address: ListenAddress
    /// The port actually bound (port 0 picks one at start).
    let boundPort: @Sendable () -> Int?

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        if let problem = hostProblem(request) { return JSONResponse.error(.forbidden, problem) }
        let changesState = request.method != .get && request.method != .head
        if changesState, let problem = originProblem(request) { return JSONResponse.error(.forbidden, problem) }
        let isLogin = request.uri.path == "/login"
        if let token, !isLogin, !Self.carries(token, request) {
            if request.method == .get && request.uri.path == "/" {  // a person opening the page
                var headers = HTTPFields()
                headers[.location] = "/login"
                return Response(status: .seeOther, headers: headers)
            }
            return JSONResponse.error(.unauthorized, "this studio needs its token: send `Authorization: Bearer TOKEN` or log in at /login")
        }
        return try await next(request, context)
    }

    static func carries(_ token: String, _ request: Request) -> Bool {
        if let authorization = request.headers[.authorization], authorization.hasPrefix("Bearer "),
           constantTimeEqual(String(authorization.dropFirst(7)), token) {
            return true
        }
        for field in request.headers[values: .cookie] {
            for pair in field.split(separator: ";") {
                let parts = pair.trimmingCharacters(in: .whitespaces).split(separator: "=", maxSplits: 1)
                if parts.count == 2, parts[0] == cookieName, constantTimeEqual(String(parts[1]), token) { return true }
            }
        }
        return false
    }

    /// Compares without stopping at the first difference, so timing does not reveal a prefix.
    static func constantTimeEqual(_ a: String, _ b: String) -> Bool {
        let x = Array(a.utf8), y = Array(b.utf8)
        var difference = UInt8(x.count == y.count ? 0 : 1)
        for index in 0..<min(x.count, y.count) { difference |= x[index] ^ y[index] }
        return difference == 0
    }

    private func hostProblem(_ request: Request) -> String? {
        guard address.isLoopback else { return nil }  // reachable by any name; the token guards it
        guard let authority = request.head.authority else { return "the request has no Host header" }
        let host: Substring
        if authority.hasPrefix("["), let close = authority.firstIndex(of: "]") {
            host = authority[authority.index(after: authority.startIndex)..<close]
        } else {
            host = authority.split(separator: ":", maxSplits: 1).first ?? ""
        }
        let loopbackNames: Set<Substring> = ["localhost", "127.0.0.1", "::1", Substring(address.host)]
        return loopbackNames.contains(host) || host.hasPrefix("127.")
            ? nil : "Host \(authority) is not this studio's: it answers only at http://\(address.host):\(boundPort() ?? address.port)/"
    }

    private func originProblem(_ request: Request) -> String? {
        if request.headers.first(where: { $0.name.canonicalName == "sec-fetch-site" })?.value == "cross-site" {
            return "cross-site requests may not change the studio"
        }
        guard let origin = request.headers[.origin] else { return nil }
        guard let authority = request.head.authority, origin == "http://\(authority)" else {
            return "Origin \(origin) is not this studio's: changes must come from its own page"
        }
        return nil
    }
}

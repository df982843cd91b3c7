import Foundation
import Hummingbird

/// JSON responses, and the one error shape every endpoint uses: `{"error": "...", "fields": {...}}`.
enum JSONResponse {
    private static let encoder: JSONEncoder = {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        encoder.nonConformingFloatEncodingStrategy = .convertToString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
        return encoder
    }()

    static func encode(_ value: some Encodable) -> [UInt8] {
        // Every value the studio sends is a plain struct of numbers and strings: encoding cannot fail.
        (try? Array(encoder.encode(value))) ?? Array(#"{"error":"the answer could not be encoded"}"#.utf8)
    }

    static func ok(_ value: some Encodable, status: HTTPResponse.Status = .ok) -> Response {
        bytes(encode(value), status: status)
    }

    static func error(_ status: HTTPResponse.Status, _ message: String, fields: [String: String] = [:]) -> Response {
        var response = ok(SettingsRejection(message: message, fields: fields), status: status)
        // A body over the limit is left unread: close the connection rather than make the client
        // send the rest into a socket nobody reads.
        if status == .contentTooLarge { response.headers[.connection] = "close" }
        return response
    }

    static func bytes(_ bytes: [UInt8], status: HTTPResponse.Status = .ok, contentType: String = "application/json") -> Response {
        var headers = HTTPFields()
        headers[.contentType] = contentType
        headers[.cacheControl] = "no-store"
        return Response(status: status, headers: headers, body: ResponseBody(byteBuffer: ByteBuffer(bytes: bytes)))
    }
}

/// Turns anything a route throws into a JSON error: the status a Hummingbird error carries (a body
/// over the limit is 413), 500 with a plain sentence for anything else; never a stack trace or an
/// internal type name.
struct JSONErrorMiddleware<Context: RequestContext>: RouterMiddleware {
    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        do {
            return try await next(request, context)
        } catch let error as HTTPResponseError {
            let message: String = switch error.status {
            case .contentTooLarge: "the request body is too large"
            case .notFound: "there is nothing at \(request.uri.path): see / for the page, /api/state for the JSON state"
            case .methodNotAllowed: "\(request.method) is not allowed on \(request.uri.path)"
            default: error.status.reasonPhrase
            }
            return JSONResponse.error(error.status, message)
        } catch {
            context.logger.error("studio request \(request.method) \(request.uri.path) failed: \(error)")
            return JSONResponse.error(.internalServerError, "the studio could not answer this request; the run goes on")
        }
    }
}

import BackdropTestSupport
import Foundation
import XCTest

/// Who may use the studio: a reachable address needs a token, and with one every endpoint does.
final class StudioSecurityTests: StudioTestCase {
    static let token = "0123456789abcdef-test-token"

    func testAReachableAddressIsRefusedWithoutAStrongToken() throws {
        for (arguments, phrase) in [(["--serve", "0.0.0.0:0"], "--token"), (["--serve", "0.0.0.0:0", "--token", "short"], "at least 16"),
                                    (["--token", Self.token], "--serve"), (["--serve", "localhost:99999"], "0...65535")] {
            let result = try runTool(backdrop, ["run", "--no-output"] + arguments)
            XCTAssertEqual(result.status, 64, "\(arguments): \(result.errors)")
            XCTAssertTrue(result.errors.contains(phrase), "\(arguments) should say \(phrase): \(result.errors)")
        }
    }

    func testEveryEndpointNeedsTheTokenOnAReachableAddress() throws {
        let run = try StudioRun(backdrop: backdrop, ["run", "--input", Self.talkingHeadClip, "--realtime", "--loop", "0", "--no-output",
                                                     "--serve", "0.0.0.0:0", "--token", Self.token], in: folder)
        let bearer = ["Authorization": "Bearer \(Self.token)"]
        waitForFrames(after: 0, run, headers: bearer)
        let endpoints = ["/api/state", "/api/history", "/api/backgrounds", "/metrics", "/healthz", "/preview.jpg", "/api/events", "/preview"]
        for path in endpoints {
            for (what, headers) in [("no token", [String: String]()), ("a wrong token", ["Authorization": "Bearer wrong-\(Self.token)"]),
                                    ("a wrong cookie", ["Cookie": "backdrop_token=nope"])] {
                let response = try run.request("GET", path, headers: headers)
                XCTAssertEqual(response.status, 401, "\(path) with \(what): \(response.text.prefix(200))")
            }
        }
        let page = try run.request("GET", "/")
        XCTAssertEqual(page.status, 303, "a browser without the token is sent to the login form")
        XCTAssertEqual(page.headers["location"], "/login")
        XCTAssertEqual(try run.patchSettings(#"{"effect": "none"}"#).status, 401)
        XCTAssertEqual(try run.request("POST", "/api/backgrounds", body: Data("x".utf8)).status, 401)

        // The login form: a wrong token is refused, the right one sets a cookie that then works everywhere.
        let form = ["Content-Type": "application/x-www-form-urlencoded"]
        XCTAssertEqual(try run.request("POST", "/login", headers: form, body: Data("token=guess".utf8)).status, 401)
        let login = try run.request("POST", "/login", headers: form, body: Data("token=\(Self.token)".utf8))
        XCTAssertEqual(login.status, 303)
        let cookie = try XCTUnwrap(login.headers["set-cookie"])
        XCTAssertTrue(cookie.contains("HttpOnly") && cookie.contains("SameSite=Strict"), cookie)
        let session = ["Cookie": String(cookie.split(separator: ";")[0])]
        for path in ["/", "/api/state", "/metrics", "/healthz"] {
            XCTAssertEqual(try run.request("GET", path, headers: session).status, 200, path)
            XCTAssertEqual(try run.request("GET", path, headers: bearer).status, 200, path)
        }
        let preview = try run.request("GET", "/preview.jpg", headers: bearer)
        XCTAssertEqual(preview.status, 200, preview.text.prefix(200).description)
        XCTAssertEqual(preview.headers["content-type"], "image/jpeg")
        XCTAssertEqual(try run.patchSettings(#"{"effect": "none"}"#, headers: bearer).status, 200)
        XCTAssertNil(try run.request("GET", "/api/state", headers: bearer).headers["access-control-allow-origin"], "no CORS")
        XCTAssertEqual(run.stop(), 130)
    }
}

import BackdropCore
import BackdropMedia
import BackdropTestSupport
import Foundation
import XCTest

/// The studio's API against a real live run: settings change through PATCH, and every bad request
/// gets a 4xx while the run goes on with its settings unchanged and nothing is written outside the store.
final class StudioRequestTests: StudioTestCase {
    func testSettingsChangeAndEveryBadRequestIsRefusedWithoutChangingAnything() throws {
        let temporary = folder.appendingPathComponent("tmp")
        try FileManager.default.createDirectory(at: temporary, withIntermediateDirectories: true)
        var environment = ProcessInfo.processInfo.environment
        environment["TMPDIR"] = temporary.path  // where the run's upload store goes
        let run = try startLiveRun(environment: environment)
        waitForFrames(after: 0, run)

        // A good change applies and shows in the state.
        let changed = try run.patchSettings(#"{"effect": "color", "color": "00ff80", "feather": 3, "max_fps": 20}"#)
        XCTAssertEqual(changed.status, 200, changed.text)
        let settings = try XCTUnwrap(try run.json("/api/state")["settings"] as? [String: Any])
        XCTAssertEqual(settings["effect"] as? String, "color")
        XCTAssertEqual(settings["color"] as? String, "00FF80")
        XCTAssertEqual(settings["feather"] as? Int, 3)
        XCTAssertEqual(settings["max_fps"] as? Double, 20)

        // A good upload is listed and usable.
        let png = path("small.png")
        try ImageFile.write(PixelImage(width: 64, height: 48, format: .rgb, pixels: [UInt8](repeating: 90, count: 64 * 48 * 3)), to: png)
        let uploaded = try run.request("POST", "/api/backgrounds?name=beach.png", body: try Data(contentsOf: URL(fileURLWithPath: png)))
        XCTAssertEqual(uploaded.status, 201, uploaded.text)
        let id = try XCTUnwrap(uploaded.json?["id"] as? String)
        XCTAssertEqual(uploaded.json?["width"] as? Int, 64)
        let replaced = try run.patchSettings(#"{"effect": "replace", "background": "\#(id)"}"#)
        XCTAssertEqual(replaced.status, 200, replaced.text)
        let before = try XCTUnwrap(try run.json("/api/state")["settings"] as? NSDictionary)
        let framesBefore = try run.framesOutput()

        // Each bad request: its status, and a field or phrase the error must name.
        let bad: [(String, HTTPTestClient.Response, Int, String)] = [
            ("malformed JSON", try run.patchSettings(#"{"effect": "blur""#), 400, "not a JSON object"),
            ("not an object", try run.patchSettings(#"["blur"]"#), 400, "not a JSON object"),
            ("wrong types", try run.patchSettings(#"{"blur_strength": "strong", "faces": 1, "color": 255}"#), 400, "blur_strength"),
            ("out of range", try run.patchSettings(#"{"blur_strength": 1000, "feather": -1, "max_fps": 0}"#), 400, "feather"),
            ("a fraction", try run.patchSettings(#"{"blur_strength": 2.5}"#), 400, "whole number"),
            ("unknown effect", try run.patchSettings(#"{"effect": "sparkles"}"#), 400, "effect"),
            ("unknown setting", try run.patchSettings(#"{"speed": 3}"#), 400, "speed"),
            ("unknown background", try run.patchSettings(#"{"background": "../../etc/passwd"}"#), 400, "background"),
            ("not JSON", try run.request("PATCH", "/api/settings", headers: ["Content-Type": "text/plain"], body: Data("effect=blur".utf8)), 415, "JSON"),
            ("a 50 MB body", try run.patchSettings(String(repeating: " ", count: 50 * 1_048_576)), 413, "too large"),
            ("a 50 MB upload", try run.request("POST", "/api/backgrounds?name=big.png", body: Data(count: 50 * 1_048_576)), 413, "limit"),
            ("text as an image", try run.request("POST", "/api/backgrounds?name=photo.png", body: Data("just some text\n".utf8)), 415, "not a PNG or JPEG"),
            ("a PNG header with huge dimensions", try run.request("POST", "/api/backgrounds?name=bomb.png", body: Self.pngHeader(width: 100_000, height: 100_000)), 422, "100000x100000"),
            ("a file name with ../", try run.request("POST", "/api/backgrounds?name=../../escape.png", body: Data("still text".utf8)), 415, "not a PNG"),
            ("another origin", try run.patchSettings(#"{"effect": "none"}"#, headers: ["Origin": "http://evil.example"]), 403, "Origin"),
            ("a cross-site fetch", try run.patchSettings(#"{"effect": "none"}"#, headers: ["Sec-Fetch-Site": "cross-site"]), 403, "cross-site"),
            ("a foreign Host (DNS rebinding)", try run.request("GET", "/api/state", host: "attacker.example:80"), 403, "Host"),
            ("a bad preview view", try run.request("GET", "/preview.jpg?view=depth"), 400, "view"),
            ("no such endpoint", try run.request("GET", "/api/nothing"), 404, "nothing"),
        ]
        for (what, response, status, phrase) in bad {
            XCTAssertEqual(response.status, status, "\(what): \(response.text.prefix(300))")
            XCTAssertNotNil(response.json?["error"] as? String, "\(what): errors are JSON: \(response.text.prefix(300))")
            XCTAssertTrue(response.text.contains(phrase), "\(what) should say \(phrase): \(response.text.prefix(300))")
        }
        let named = try XCTUnwrap(bad[2].1.json?["fields"] as? [String: String])
        XCTAssertEqual(Set(named.keys), ["blur_strength", "faces", "color"], "each bad field is named")

        // Nothing changed, and the run goes on.
        XCTAssertEqual(try XCTUnwrap(try run.json("/api/state")["settings"] as? NSDictionary), before)
        waitForFrames(after: framesBefore, run)
        let listed = try JSONSerialization.jsonObject(with: try run.request("GET", "/api/backgrounds").body) as? [[String: Any]]
        XCTAssertEqual(listed?.map { $0["name"] as? String }, ["beach.png"], "only the good upload is stored")

        // Nothing was written outside the store: the run's folder holds its logs and the store only.
        let store = try XCTUnwrap(try FileManager.default.contentsOfDirectory(atPath: temporary.path).first { $0.hasPrefix("backdrop-studio-") })
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: temporary.path), [store])
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: temporary.appendingPathComponent(store).path), ["\(id).png"])
        let everything = FileManager.default.enumerator(atPath: folder.path)!.compactMap { $0 as? String }
        XCTAssertFalse(everything.contains { $0.contains("escape") || $0.contains("passwd") }, "\(everything)")
        let attributes = try FileManager.default.attributesOfItem(atPath: temporary.appendingPathComponent(store).path)
        XCTAssertEqual((attributes[.posixPermissions] as? Int).map { $0 & 0o077 }, 0, "the store is private to the run's user")

        XCTAssertEqual(run.stop(), 130, run.errors.suffix(1500).description)
        XCTAssertFalse(FileManager.default.fileExists(atPath: temporary.appendingPathComponent(store).path), "the run removes its store")
        XCTAssertFalse(run.errors.contains("Fatal error"), run.errors)
    }

    /// The first 33 bytes of a PNG stating `width` x `height` (the rest never arrives).
    static func pngHeader(width: UInt32, height: UInt32) -> Data {
        var bytes: [UInt8] = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0, 0, 0, 13] + Array("IHDR".utf8)
        for value in [width, height] { bytes += withUnsafeBytes(of: value.bigEndian, Array.init) }
        bytes += [8, 2, 0, 0, 0, 0, 0, 0, 0]
        return Data(bytes)
    }
}

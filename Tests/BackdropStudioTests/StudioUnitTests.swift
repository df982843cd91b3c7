@testable import BackdropStudio
import BackdropCore
import BackdropEffects
import BackdropMedia
import BackdropPipeline
import Foundation
import XCTest

/// The studio's parts on their own: the settings checks, the listen address, the upload store.
final class StudioUnitTests: XCTestCase {
    private func parse(_ json: String, known: Set<String> = ["b1"]) -> Result<SettingsPatch, SettingsRejection> {
        SettingsPatch.parse(json: Array(json.utf8), backgroundExists: known.contains)
    }

    func testAPatchChangesOnlyTheFieldsItNames() throws {
        let patch = try parse(##"{"effect": "blur", "blur_strength": 30, "max_fps": null, "background": "b1", "color": "#a0b1c2"}"##).get()
        let before = StudioSettings(effect: .color, blurStrength: 16, background: nil, color: "000000", faces: true,
                                    smoothing: false, feather: 2, maxFPS: 12)
        let after = patch.applied(to: before)
        XCTAssertEqual(after, StudioSettings(effect: .blur, blurStrength: 30, background: "b1", color: "A0B1C2", faces: true,
                                             smoothing: false, feather: 2, maxFPS: nil))
        XCTAssertEqual(try parse("{}").get().applied(to: before), before)
    }

    func testEveryBadFieldIsNamedAndNothingIsAccepted() {
        guard case .failure(let rejection) = parse(#"{"effect": 3, "blur_strength": 101, "feather": 1.5, "faces": "yes", "smoothing": null, "max_fps": 1e9, "background": "b9", "colour": "red"}"#) else {
            return XCTFail("a bad patch was accepted")
        }
        XCTAssertEqual(Set(rejection.fields.keys), ["effect", "blur_strength", "feather", "faces", "smoothing", "max_fps", "background", "colour"])
        XCTAssertTrue(rejection.fields["blur_strength"]!.contains("1...100"), rejection.fields["blur_strength"]!)
        for body in ["", "null", "[]", "\"blur\"", "{\"effect\": \"blur\"", "{\"effect\": \"custom\"}"] {
            guard case .failure = parse(body) else { return XCTFail("\(body) was accepted") }
        }
    }

    func testSettingsDescribeThePipelinesOwn() {
        var settings = PipelineSettings(effect: .color(red: 1, green: 2, blue: 255), smoothing: false, featherRadius: 5, faces: false, maxFPS: 10)
        let described = StudioSettings(describing: settings, previous: nil, backgroundID: nil)
        XCTAssertEqual(described.effect, .color)
        XCTAssertEqual(described.color, "0102FF")
        XCTAssertEqual([described.feather], [5])
        XCTAssertEqual(described.maxFPS, 10)
        settings.effect = .blur(strength: 7)
        let blurred = StudioSettings(describing: settings, previous: described, backgroundID: nil)
        XCTAssertEqual(blurred.effect, .blur)
        XCTAssertEqual(blurred.blurStrength, 7)
        XCTAssertEqual(blurred.color, "0102FF", "the colour is remembered while another effect runs")
        settings.effect = .landmarks(.mesh)
        XCTAssertEqual(StudioSettings(describing: settings, previous: nil, backgroundID: nil).effect, .mesh)
    }

    func testListenAddresses() throws {
        XCTAssertEqual(try ListenAddress(parsing: "8080"), ListenAddress(host: "127.0.0.1", port: 8080))
        XCTAssertEqual(try ListenAddress(parsing: ":0"), ListenAddress(host: "127.0.0.1", port: 0))
        XCTAssertEqual(try ListenAddress(parsing: "0.0.0.0:9000"), ListenAddress(host: "0.0.0.0", port: 9000))
        XCTAssertEqual(try ListenAddress(parsing: "[::1]:81"), ListenAddress(host: "::1", port: 81))
        XCTAssertTrue(try ListenAddress(parsing: "localhost:1").isLoopback)
        XCTAssertTrue(try ListenAddress(parsing: "127.0.0.2:1").isLoopback)
        XCTAssertFalse(try ListenAddress(parsing: "0.0.0.0:1").isLoopback)
        XCTAssertFalse(try ListenAddress(parsing: "[::]:1").isLoopback)
        for bad in ["", "host:", "99999", "::1:80", "[::1]80", "a b:80", "x:-1"] {
            XCTAssertThrowsError(try ListenAddress(parsing: bad), bad)
        }
        XCTAssertNotNil(StudioConfiguration(address: ListenAddress(host: "0.0.0.0", port: 1)).securityProblem)
        XCTAssertNotNil(StudioConfiguration(address: ListenAddress(), token: "short").securityProblem)
        XCTAssertNil(StudioConfiguration(address: ListenAddress(host: "0.0.0.0", port: 1), token: String(repeating: "k", count: 16)).securityProblem)
    }

    func testTheStoreChecksUploadsAndKeepsThemPrivate() throws {
        let parent = FileManager.default.temporaryDirectory.appendingPathComponent("store-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: parent, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: parent) }
        let store = BackgroundStore(parent: parent.path, maximumBytes: 1_000_000, maximumSide: 1000, maximumCount: 2)
        let png = parent.appendingPathComponent("in.png").path
        try ImageFile.write(PixelImage(width: 20, height: 10, format: .rgb, pixels: [UInt8](repeating: 200, count: 600)), to: png)
        let bytes = Array(try Data(contentsOf: URL(fileURLWithPath: png)))
        let entry = try store.add(bytes, name: "../../../etc/passwd\u{0}.png")
        XCTAssertEqual(entry.name, "passwd.png", "a label: the last component, printable only")
        XCTAssertEqual([entry.width, entry.height], [20, 10])
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: store.folder), ["\(entry.id).png"])
        XCTAssertEqual(try store.image(entry.id).width, 20)
        XCTAssertThrowsError(try store.add(Array("text".utf8), name: "a.png")) { XCTAssertEqual($0 as? BackgroundStore.Failure, .notAnImage) }
        XCTAssertThrowsError(try store.add([UInt8](repeating: 0, count: 1_000_001), name: "a")) {
            XCTAssertEqual($0 as? BackgroundStore.Failure, .tooLarge(bytes: 1_000_001, limit: 1_000_000))
        }
        var truncated = bytes
        truncated.removeLast(bytes.count - 40)
        XCTAssertThrowsError(try store.add(truncated, name: "cut.png"), "a PNG that does not decode")
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: store.folder).count, 1, "a refused upload leaves no file")
        _ = try store.add(bytes, name: "two.png")
        XCTAssertThrowsError(try store.add(bytes, name: "three.png")) { XCTAssertEqual($0 as? BackgroundStore.Failure, .full(limit: 2)) }
        XCTAssertThrowsError(try store.image("../in")) { XCTAssertEqual($0 as? BackgroundStore.Failure, .unknownID("../in")) }
        store.removeAll()
        XCTAssertFalse(FileManager.default.fileExists(atPath: store.folder))
        XCTAssertTrue(FileManager.default.fileExists(atPath: png), "only the store's own folder is removed")
    }

    func testImageHeadersGiveTypeAndSize() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("header-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        for name in ["a.png", "a.jpg"] {
            let file = folder.appendingPathComponent(name).path
            try ImageFile.write(PixelImage(width: 33, height: 17, format: .rgb, pixels: [UInt8](repeating: 9, count: 33 * 17 * 3)), to: file)
            let bytes = Array(try Data(contentsOf: URL(fileURLWithPath: file)))
            let kind = try XCTUnwrap(ImageHeader.type(of: bytes), name)
            XCTAssertEqual(kind, name.hasSuffix("png") ? .png : .jpeg)
            let size = try XCTUnwrap(ImageHeader.dimensions(of: bytes, type: kind), name)
            XCTAssertEqual([size.width, size.height], [33, 17], name)
        }
        XCTAssertNil(ImageHeader.type(of: Array("GIF89a".utf8)))
    }
}

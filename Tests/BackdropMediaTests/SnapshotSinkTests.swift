import BackdropCore
import BackdropMedia
import Foundation
import XCTest

final class SnapshotSinkTests: SinkTestCase {
    func testEveryNthFrameIsSavedUnderThePattern() throws {
        let sink = try SnapshotSink(pattern: path("shot-%04d.png"), every: 10)
        for index in 0..<25 { try sink.write(Self.gradient(index, width: 64, height: 48)) }
        try sink.finish()
        XCTAssertEqual(try folderContents(), ["shot-0000.png", "shot-0010.png", "shot-0020.png"])
        XCTAssertEqual(sink.snapshotsWritten, 3)
        XCTAssertEqual(sink.lastPath, path("shot-0020.png"))
        for index in [0, 10, 20] {
            let read = try ImageFile.read(path(String(format: "shot-%04d.png", index)), as: .rgb)
            XCTAssertEqual(read, Self.gradient(index, width: 64, height: 48).image, "PNG snapshot \(index) is exact")
        }
    }

    func testOnDemandJPEGAndPatternChecks() throws {
        let sink = try SnapshotSink(pattern: path("100%% frame %d.jpg"), every: nil, jpegQuality: 95)
        try sink.write(Self.gradient(3, width: 64, height: 48))
        XCTAssertEqual(try folderContents(), [], "every: nil saves only on demand")
        let saved = try sink.save(Self.gradient(7, width: 64, height: 48))
        XCTAssertEqual(saved, path("100% frame 7.jpg"))
        let read = try ImageFile.read(saved, as: .rgb)
        XCTAssertEqual(psnr(read.pixels, Self.gradient(7, width: 64, height: 48).image.pixels) > 30, true)
        XCTAssertEqual(sink.path(for: 42), path("100% frame 42.jpg"))
        XCTAssertEqual(try SnapshotSink(pattern: "a%5d.png").path(for: 42), "a   42.png")

        for (pattern, every, mention) in [("none.png", 1, "integer conversion"), ("%d-%d.png", 1, "integer conversion"),
                                          ("%s.png", 1, "integer conversion"), ("f%d.gif", 1, ".gif"),
                                          ("f%d.png", 0, "every 0")] {
            XCTAssertThrowsError(try SnapshotSink(pattern: pattern, every: every), pattern) { error in
                guard case let .unsupported(_, reason) = error as? MediaError else { return XCTFail("\(pattern): \(error)") }
                XCTAssertTrue(reason.contains(mention), "\(pattern): \(reason)")
            }
        }
    }
}

import BackdropCore
@testable import BackdropMedia
import Foundation
import XCTest

/// Inputs found by fuzzing (scripts/fuzz.sh, fuzz/README.md), kept as regression tests: each must
/// give frames or a typed error, never a crash or a hang.
final class FuzzFindingsTests: XCTestCase {
    private var folder: URL!

    override func setUpWithError() throws {
        folder = FileManager.default.temporaryDirectory.appendingPathComponent("BackdropFuzzFindings-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws { try? FileManager.default.removeItem(at: folder) }

    private func write(_ base64: String, as name: String) throws -> String {
        let path = folder.appendingPathComponent(name).path
        let data = try XCTUnwrap(Data(base64Encoded: base64, options: .ignoreUnknownCharacters))
        try data.write(to: URL(fileURLWithPath: path))
        return path
    }

    /// Three 8x8 gray frames in Matroska whose timestamps sit at the top of the 64-bit range: the
    /// first is 9,223,372,036,854,676 ms (it fits in microseconds), the next two overflow when
    /// FFmpeg rescales them to microseconds (giving Int64.min). Placing them relative to the first
    /// overflowed 64-bit arithmetic: a trap in SourceTimeline.place.
    static let timestampsAtTheTopOfTheRange = """
        GkXfo6NChoEBQveBAULygQRC84EIQoKIbWF0cm9za2FCh4EEQoWBAhhTgGcBAAAAAAACvBFNm3TAv4T9RcXTTbuLU6uEFUmp
        ZlOsgaFNu4tTq4QWVK5rU6yBzE27jFOrhBJUw2dTrIIBME27jFOrhBxTu2tTrIICg+wBAAAAAAAAUwAAAAAAAAAAAAAAAAAA
        AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAFUmp
        Zqa/hN2IGXMq17GDD0JATYCETGF2ZldBhExhdmZEiYhDMcN5N+CBLBZUrmvfv4RRQIN3rgEAAAAAAABQ14EBc8WIAAAAAAAA
        AAGcgQAitZyDdW5kiIEAho5WX1VOQ09NUFJFU1NFRIOBASPjg4QF9eEA4JiwgQi6gQiagQIutSSEWTgwMFWwhFW5gQISVMNn
        2b+E+AxbvnNz0GPAi2PFiAAAAAAAAAABZ8iaRaOHRU5DT0RFUkSHjUxhdmMgcmF3dmlkZW9nyKJFo4hEVVJBVElPTkSHlC01
        OTY1MjM6LTE0OjIwLjI5OTgAH0O2dc+/hFam0wTngQCjxIGAAIBMTJaWHR1paUxMlpYdHWlpTEwlJQcHGhpMTCUlBwcaGkxM
        JSUHBxoaTEwlJQcHGhpMTCUlBweXl0xMJSUHl5caH0O2dUCbv4TsvMn554cgxJul41P3o8SBAACATEyWlh0daWlMTJaWHR1p
        aUxMJSUHBxoaTEwlJQcHGhpMTCUlBwcaGkxMJSUHBxoaTEwlJQcHl5dMTCUlB5eXGqPEgQBkgExMlpYdHWlpTEyWlh0daWlM
        TCUlBwcaGkxMJSUHBxoaTEwlJQcHGhpMTCUlBwcaGkxMJSUHB5eXTEwlJQeXlxocU7trtL+Ea9UJtLuVs4cRw3k34IBkt4r3
        gQHxggHi8IEPu5WzhxHDeTfggMi3iveBAfGCAeLwgVU=
        """

    func testTimestampsAtTheTopOfThe64BitRangeAreReadNotATrap() throws {
        let path = try write(Self.timestampsAtTheTopOfTheRange, as: "timestamps.mkv")
        let source = try FFmpegVideoSource(url: path)
        var frame = VideoFrame(image: PixelImage(width: 0, height: 0, format: .rgb))
        var timestamps: [Int64] = []
        while try source.read(into: &frame) { timestamps.append(frame.timestampMicroseconds) }
        XCTAssertEqual(timestamps.count, 3)
        XCTAssertEqual(timestamps.first, 0)
        XCTAssertEqual(timestamps, timestamps.sorted())
        XCTAssertEqual(Set(timestamps).count, timestamps.count, "strictly increasing")
    }

    func testTimelineAtTheEndsOfThe64BitRange() {
        let step: Int64 = 40_000
        var downward = SourceTimeline()
        XCTAssertEqual(downward.place(.max, step: step), 0)
        XCTAssertEqual(downward.place(.min, step: step), 40_000, "a jump back of 2^64 is a jump back")
        XCTAssertEqual(downward.place(.min + 40_000, step: step), 80_000)

        var upward = SourceTimeline()
        XCTAssertEqual(upward.place(.min, step: step), 0)
        XCTAssertNil(upward.place(.max, step: step), "a frame 2^64 microseconds on cannot be placed")
        XCTAssertEqual(upward.place(.min + 1, step: step), 1, "the timeline is unchanged by a frame it could not place")

        var huge = SourceTimeline()
        XCTAssertEqual(huge.place(nil, step: .max), 0)
        XCTAssertEqual(huge.place(nil, step: .max), .max)
        XCTAssertNil(huge.place(nil, step: .max), "a third frame of Int64.max microseconds")
    }
}

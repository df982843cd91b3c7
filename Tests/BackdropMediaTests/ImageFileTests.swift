import BackdropCore
import BackdropMedia
import Foundation
import XCTest

final class ImageFileTests: XCTestCase {
    private var folder: URL!

    override func setUpWithError() throws {
        folder = FileManager.default.temporaryDirectory
            .appendingPathComponent("BackdropMediaTests-\(UUID().uuidString)", isDirectory: true)
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws {
        try? FileManager.default.removeItem(at: folder)
    }

    private func path(_ name: String) -> String { folder.appendingPathComponent(name).path }

    private func folderContents() throws -> [String] {
        try FileManager.default.contentsOfDirectory(atPath: folder.path).sorted()
    }

    /// An odd-sized image whose channels each vary differently, so swapped channels, wrong strides or
    /// flipped rows all change it.
    private func gradient(_ format: PixelFormat, width: Int = 37, height: Int = 23) -> PixelImage {
        var image = PixelImage(width: width, height: height, format: format)
        let channels = format.bytesPerPixel
        for y in 0..<height {
            for x in 0..<width {
                let values = [x * 255 / (width - 1), y * 255 / (height - 1), (x + 2 * y) * 7 % 256, 255 - (x * y) % 256]
                for channel in 0..<channels {
                    image.pixels[(y * width + x) * channels + channel] = UInt8(values[channel])
                }
            }
        }
        return image
    }

    private func psnr(_ a: PixelImage, _ b: PixelImage) -> Double {
        precondition(a.pixels.count == b.pixels.count)
        let squaredError = zip(a.pixels, b.pixels).reduce(0.0) { sum, pair in
            let difference = Double(pair.0) - Double(pair.1)
            return sum + difference * difference
        }
        let mean = squaredError / Double(a.pixels.count)
        return mean == 0 ? .infinity : 10 * log10(255 * 255 / mean)
    }

    // MARK: Round trips

    func testPNGRoundTripIsExactForEveryFormat() throws {
        for format in PixelFormat.allCases {
            let original = gradient(format)
            let file = path("gradient-\(format).png")
            try ImageFile.write(original, to: file)
            let read = try ImageFile.read(file, as: format)
            XCTAssertEqual(read.width, original.width, "\(format)")
            XCTAssertEqual(read.height, original.height, "\(format)")
            XCTAssertEqual(read.format, format)
            XCTAssertEqual(read.pixels, original.pixels, "PNG round trip of \(format) changed pixels")
        }
    }

    func testPNGFileStartsWithThePNGSignature() throws {
        let file = path("signature.png")
        try ImageFile.write(gradient(.rgb), to: file)
        let bytes = try Data(contentsOf: URL(fileURLWithPath: file))
        XCTAssertEqual(Array(bytes.prefix(8)), [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A])
    }

    func testReadingRGBAPNGAsRGBDropsOnlyAlpha() throws {
        let original = gradient(.rgba)
        let file = path("rgba.png")
        try ImageFile.write(original, to: file)
        let read = try ImageFile.read(file, as: .rgb)
        var expected = [UInt8]()
        for pixel in stride(from: 0, to: original.pixels.count, by: 4) {
            expected += original.pixels[pixel..<pixel + 3]
        }
        XCTAssertEqual(read.format, .rgb)
        XCTAssertEqual(read.pixels, expected)
    }

    func testReadingGrayPNGAsRGBRepeatsTheGrayValue() throws {
        let original = gradient(.gray)
        let file = path("gray.png")
        try ImageFile.write(original, to: file)
        let read = try ImageFile.read(file, as: .rgb)
        XCTAssertEqual(read.pixels, original.pixels.flatMap { [$0, $0, $0] })
    }

    /// JPEG is lossy: at the default quality 90 a smooth gradient must come back above 30 dB PSNR.
    func testJPEGRoundTripIsAbove30dB() throws {
        let original = gradient(.rgb, width: 64, height: 48)
        for name in ["gradient.jpg", "gradient.JPEG"] {
            let file = path(name)
            try ImageFile.write(original, to: file)
            let bytes = try Data(contentsOf: URL(fileURLWithPath: file))
            XCTAssertEqual(Array(bytes.prefix(2)), [0xFF, 0xD8], "\(name) is not a JPEG file")
            let read = try ImageFile.read(file)
            XCTAssertEqual(read.width, 64)
            XCTAssertEqual(read.height, 48)
            XCTAssertGreaterThan(psnr(original, read), 30, name)
        }
    }

    func testWritingTheSameImageTwiceGivesTheSameBytes() throws {
        // Odd sizes make the encoders read row padding; it must not leak into the file.
        for name in ["a.png", "b.png", "a.jpg", "b.jpg"] {
            try ImageFile.write(gradient(.rgb), to: path(name))
        }
        for (first, second) in [("a.png", "b.png"), ("a.jpg", "b.jpg")] {
            XCTAssertEqual(try Data(contentsOf: URL(fileURLWithPath: path(first))),
                           try Data(contentsOf: URL(fileURLWithPath: path(second))), first)
        }
    }

    func testJPEGQualityChangesTheResult() throws {
        let original = gradient(.rgb, width: 64, height: 48)
        try ImageFile.write(original, to: path("high.jpg"), jpegQuality: 98)
        try ImageFile.write(original, to: path("low.jpg"), jpegQuality: 5)
        let high = try ImageFile.read(path("high.jpg"))
        let low = try ImageFile.read(path("low.jpg"))
        XCTAssertGreaterThan(psnr(original, high), psnr(original, low) + 3)
        let highSize = try FileManager.default.attributesOfItem(atPath: path("high.jpg"))[.size] as! Int
        let lowSize = try FileManager.default.attributesOfItem(atPath: path("low.jpg"))[.size] as! Int
        XCTAssertGreaterThan(highSize, lowSize)
    }

    func testGrayJPEGReadsBackAsGray() throws {
        let original = gradient(.gray, width: 40, height: 30)
        try ImageFile.write(original, to: path("gray.jpg"))
        let read = try ImageFile.read(path("gray.jpg"), as: .gray)
        XCTAssertEqual(read.format, .gray)
        XCTAssertEqual(read.pixels.count, 40 * 30)
        XCTAssertGreaterThan(psnr(original, read), 30)
    }

    // MARK: Read errors

    func testReadingAMissingFileNamesThePath() {
        let missing = path("does-not-exist.png")
        do {
            _ = try ImageFile.read(missing)
            XCTFail("reading a missing file succeeded")
        } catch {
            XCTAssertEqual(error, .fileNotFound(path: missing))
            XCTAssertTrue(error.description.contains(missing), error.description)
        }
    }

    func testReadingATextFileNamedPNGIsNotAnImage() throws {
        let file = path("notes.png")
        try "these are notes, not pixels\n".write(toFile: file, atomically: false, encoding: .utf8)
        do {
            _ = try ImageFile.read(file)
            XCTFail("reading a text file as an image succeeded")
        } catch {
            guard case let .notAnImage(reportedPath, _) = error else {
                return XCTFail("expected .notAnImage, got \(error)")
            }
            XCTAssertEqual(reportedPath, file)
            XCTAssertTrue(error.description.contains(file), error.description)
        }
    }

    func testReadingAnEmptyFileOrAFolderIsNotAnImage() throws {
        let empty = path("empty.jpg")
        XCTAssertTrue(FileManager.default.createFile(atPath: empty, contents: Data()))
        for target in [empty, folder.path] {
            do {
                _ = try ImageFile.read(target)
                XCTFail("reading \(target) succeeded")
            } catch {
                guard case let .notAnImage(reportedPath, _) = error else {
                    return XCTFail("expected .notAnImage for \(target), got \(error)")
                }
                XCTAssertEqual(reportedPath, target)
            }
        }
    }

    func testReadingATruncatedPNGFails() throws {
        let file = path("truncated.png")
        try ImageFile.write(gradient(.rgb), to: file)
        let bytes = try Data(contentsOf: URL(fileURLWithPath: file))
        try bytes.prefix(40).write(to: URL(fileURLWithPath: file))
        XCTAssertThrowsError(try ImageFile.read(file)) { error in
            XCTAssertTrue("\(error)".contains(file), "\(error)")
        }
    }

    // MARK: Write errors

    func testWritingIntoAMissingFolderFailsAndLeavesNothing() throws {
        // A folder that does not exist, and a "folder" that is a file (fails even for root).
        XCTAssertTrue(FileManager.default.createFile(atPath: path("plain-file"), contents: Data("x".utf8)))
        for target in [path("no-such-folder/out.png"), path("plain-file/out.png")] {
            do {
                try ImageFile.write(gradient(.rgb), to: target)
                XCTFail("writing \(target) succeeded")
            } catch {
                guard case let .writeFailed(reportedPath, _) = error else {
                    return XCTFail("expected .writeFailed, got \(error)")
                }
                XCTAssertEqual(reportedPath, target)
                XCTAssertTrue(error.description.contains(target), error.description)
            }
        }
        XCTAssertEqual(try folderContents(), ["plain-file"])
    }

    func testWritingIntoAFolderNobodyMayWriteFails() throws {
        // /proc refuses new files even to root, so this holds however the tests run.
        let target = "/proc/backdrop-test-\(UUID().uuidString).png"
        XCTAssertThrowsError(try ImageFile.write(gradient(.rgb), to: target)) { error in
            XCTAssertEqual((error as? MediaError).map { if case .writeFailed(target, _) = $0 { true } else { false } }, true,
                           "\(error)")
            XCTAssertTrue("\(error)".contains(target))
        }
        XCTAssertFalse(FileManager.default.fileExists(atPath: target))
    }

    func testFailedRenameRemovesTheTemporaryFile() throws {
        // A folder already at the target path: the temporary file is written, but cannot replace it.
        let target = path("taken.png")
        try FileManager.default.createDirectory(atPath: target, withIntermediateDirectories: false)
        do {
            try ImageFile.write(gradient(.rgb), to: target)
            XCTFail("replacing a folder with a file succeeded")
        } catch {
            guard case let .writeFailed(reportedPath, _) = error else {
                return XCTFail("expected .writeFailed, got \(error)")
            }
            XCTAssertEqual(reportedPath, target)
        }
        XCTAssertEqual(try folderContents(), ["taken.png"])
        var isFolder: ObjCBool = false
        XCTAssertTrue(FileManager.default.fileExists(atPath: target, isDirectory: &isFolder) && isFolder.boolValue)
    }

    func testAnImageThatCannotBeEncodedLeavesTheOldFileUnchanged() throws {
        let target = path("keep.png")
        try ImageFile.write(gradient(.rgb), to: target)
        let before = try Data(contentsOf: URL(fileURLWithPath: target))

        var broken = gradient(.rgb)
        broken.pixels.removeLast(5)
        XCTAssertNotNil(broken.layoutProblem)
        do {
            try ImageFile.write(broken, to: target)
            XCTFail("writing an image with too few pixels succeeded")
        } catch {
            guard case let .invalidImage(reportedPath, reason) = error else {
                return XCTFail("expected .invalidImage, got \(error)")
            }
            XCTAssertEqual(reportedPath, target)
            XCTAssertEqual(reason, broken.layoutProblem)
        }
        XCTAssertEqual(try Data(contentsOf: URL(fileURLWithPath: target)), before)
        XCTAssertEqual(try folderContents(), ["keep.png"])
    }

    func testReplacingAGoodFileWritesTheNewImage() throws {
        let target = path("replace.png")
        try ImageFile.write(gradient(.rgb), to: target)
        let replacement = gradient(.gray, width: 5, height: 4)
        try ImageFile.write(replacement, to: target)
        XCTAssertEqual(try ImageFile.read(target, as: .gray), replacement)
        XCTAssertEqual(try folderContents(), ["replace.png"])
    }

    func testAtomicFileReplacesContentsAndKeepsPermissions() throws {
        let target = path("data.json")
        try AtomicFile.replace(target, with: Array("old".utf8))
        try FileManager.default.setAttributes([.posixPermissions: 0o600], ofItemAtPath: target)
        try AtomicFile.replace(target, with: Array("new contents".utf8))
        XCTAssertEqual(try String(contentsOfFile: target, encoding: .utf8), "new contents")
        let permissions = try FileManager.default.attributesOfItem(atPath: target)[.posixPermissions] as? Int
        XCTAssertEqual(permissions, 0o600)
        XCTAssertEqual(try folderContents(), ["data.json"])
    }

    func testUnknownExtensionAndBadQualityAreUnsupported() throws {
        let image = gradient(.rgb)
        for (target, quality) in [(path("out.bmp"), 90), (path("no-extension"), 90), (path("out.jpg"), 0), (path("out.jpg"), 101)] {
            do {
                try ImageFile.write(image, to: target, jpegQuality: quality)
                XCTFail("writing \(target) at quality \(quality) succeeded")
            } catch {
                guard case let .unsupported(reportedPath, _) = error else {
                    return XCTFail("expected .unsupported, got \(error)")
                }
                XCTAssertEqual(reportedPath, target)
            }
        }
        XCTAssertEqual(try folderContents(), [])
    }
}

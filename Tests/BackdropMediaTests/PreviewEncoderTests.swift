import BackdropCore
import BackdropMedia
import BackdropTestSupport
import Foundation
import XCTest

final class PreviewEncoderTests: XCTestCase {
    private var folder: URL!

    override func setUpWithError() throws {
        folder = FileManager.default.temporaryDirectory
            .appendingPathComponent("PreviewEncoderTests-\(UUID().uuidString)", isDirectory: true)
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws {
        try? FileManager.default.removeItem(at: folder)
    }

    /// The JPEG bytes decoded by the library's own reader (through a file, its only input).
    private func decode(_ jpeg: [UInt8], as format: PixelFormat = .rgb) throws -> PixelImage {
        XCTAssertEqual(Array(jpeg.prefix(2)), [0xFF, 0xD8], "a JPEG starts with its SOI marker")
        XCTAssertEqual(Array(jpeg.suffix(2)), [0xFF, 0xD9], "a JPEG ends with its EOI marker")
        let file = folder.appendingPathComponent("\(UUID().uuidString).jpg")
        try Data(jpeg).write(to: file)
        return try ImageFile.read(file.path, as: format)
    }

    /// The synthetic scene (a person over a textured background), the kind of frame a preview shows.
    private func sceneFrame(width: Int, height: Int) throws -> PixelImage {
        var frame = VideoFrame(image: PixelImage(width: width, height: height, format: .rgb))
        let scene = try SyntheticSource(width: width, height: height, frameRate: 30, frameCount: 1)
        XCTAssertTrue(try scene.read(into: &frame))
        return frame.image
    }

    /// A smooth odd-sized image whose channels vary differently, so swapped channels or wrong strides show.
    private func gradient(_ format: PixelFormat, width: Int, height: Int) -> PixelImage {
        var image = PixelImage(width: width, height: height, format: format)
        let channels = format.bytesPerPixel
        for y in 0..<height {
            for x in 0..<width {
                let values = [40 + x * 170 / (width - 1), 220 - y * 170 / (height - 1), 60 + (x + y) * 120 / (width + height), 255]
                for channel in 0..<channels {
                    image.pixels[(y * width + x) * channels + channel] = UInt8(values[channel])
                }
            }
        }
        return image
    }

    /// Mean absolute difference per channel, and the largest.
    private func difference(_ a: PixelImage, _ b: PixelImage) -> (mean: Double, largest: Int) {
        precondition(a.pixels.count == b.pixels.count)
        var sum = 0, largest = 0
        for (x, y) in zip(a.pixels, b.pixels) {
            let gap = abs(Int(x) - Int(y))
            sum += gap
            largest = max(largest, gap)
        }
        return (Double(sum) / Double(a.pixels.count), largest)
    }

    private func shrink(_ image: PixelImage, to width: Int, _ height: Int) throws -> PixelImage {
        var small = PixelImage(width: 0, height: 0, format: image.format)
        try ImageResizer().resize(image, to: width, height, into: &small)
        return small
    }

    // MARK: Pictures

    /// A 720p frame comes back 640x360. Tolerance: against the frame shrunk with libswscale's area
    /// filter, a mean error of at most 3 grey levels per channel at quality 80 (JPEG's own loss on a
    /// textured scene; a wrong colour matrix, range or channel order costs 10 and more).
    func testA720pFrameIsShrunkTo640WideAndStaysCloseToTheInput() throws {
        let frame = try sceneFrame(width: 1280, height: 720)
        let encoder = try PreviewEncoder()
        XCTAssertTrue(encoder.outputSize(width: 1280, height: 720) == (640, 360))
        let decoded = try decode(try encoder.encode(frame))
        XCTAssertEqual(decoded.width, 640)
        XCTAssertEqual(decoded.height, 360)
        let gap = difference(decoded, try shrink(frame, to: 640, 360))
        XCTAssertLessThanOrEqual(gap.mean, 3, "mean |difference| per channel")
    }

    /// A picture narrower than maxWidth keeps its size (odd sides, 4:2:0 chroma), and alpha is dropped.
    /// Tolerance: at quality 90 a smooth gradient loses at most 4 levels on average (half-resolution
    /// chroma across channels that all differ costs ~3), 12 at the worst pixel.
    func testANarrowPictureKeepsItsSizeAndColours() throws {
        let encoder = try PreviewEncoder(maxWidth: 640, quality: 90)
        for format in PixelFormat.allCases {
            let image = gradient(format, width: 37, height: 23)
            let decoded = try decode(try encoder.encode(image), as: format == .gray ? .gray : .rgb)
            XCTAssertEqual(decoded.width, 37, "\(format)")
            XCTAssertEqual(decoded.height, 23, "\(format)")
            let expected = format == .rgba ? gradient(.rgb, width: 37, height: 23) : image
            let gap = difference(decoded, expected)
            XCTAssertLessThanOrEqual(gap.mean, 4, "\(format)")
            XCTAssertLessThanOrEqual(gap.largest, 12, "\(format)")
        }
    }

    func testTheAspectIsKeptForAnyShape() throws {
        let encoder = try PreviewEncoder(maxWidth: 100)
        XCTAssertTrue(encoder.outputSize(width: 1000, height: 333) == (100, 33))
        XCTAssertTrue(encoder.outputSize(width: 1000, height: 335) == (100, 34))
        XCTAssertTrue(encoder.outputSize(width: 5000, height: 10) == (100, 1), "never 0 high")
        XCTAssertTrue(encoder.outputSize(width: 99, height: 500) == (99, 500), "never enlarged")
        let tall = try decode(try encoder.encode(gradient(.rgb, width: 300, height: 901)))
        XCTAssertEqual(tall.width, 100)
        XCTAssertEqual(tall.height, 300)
    }

    /// One encoder follows its input through size and format changes, each picture right for its own input.
    func testTheSizeAndFormatMayChangeMidStream() throws {
        let encoder = try PreviewEncoder(maxWidth: 320)
        let big = try sceneFrame(width: 1280, height: 720), small = try sceneFrame(width: 352, height: 288)
        let gray = gradient(.gray, width: 200, height: 100)
        var jpeg: [UInt8] = []
        for (image, width, height) in [(big, 320, 180), (small, 320, 262), (big, 320, 180), (gray, 200, 100), (small, 320, 262)] {
            try encoder.encode(image, into: &jpeg)
            let decoded = try decode(jpeg, as: image.format == .gray ? .gray : .rgb)
            XCTAssertEqual(decoded.width, width)
            XCTAssertEqual(decoded.height, height)
            let gap = difference(decoded, try shrink(image, to: width, height))
            XCTAssertLessThanOrEqual(gap.mean, 4, "\(image.width)x\(image.height) \(image.format)")
        }
    }

    /// Higher quality costs bytes and buys fidelity.
    func testQualityTradesBytesForFidelity() throws {
        let frame = try sceneFrame(width: 640, height: 360)
        let coarse = try PreviewEncoder(quality: 20).encode(frame), fine = try PreviewEncoder(quality: 95).encode(frame)
        XCTAssertLessThan(coarse.count, fine.count)
        XCTAssertLessThan(difference(try decode(fine), frame).mean, difference(try decode(coarse), frame).mean)
    }

    // MARK: Masks

    /// A confidence ramp comes back as gray levels 0...255 with flat chroma. Tolerance: 2 levels on
    /// average, 8 at the worst pixel; each pixel's channels within 2 of each other (gray, not tinted).
    func testAMaskIsAGrayPictureOfItsConfidence() throws {
        let width = 301, height = 120
        var mask = ConfidenceMask(width: width, height: height)
        for y in 0..<height { for x in 0..<width { mask[x, y] = Float(x) / Float(width - 1) } }
        let encoder = try PreviewEncoder(maxWidth: 640, quality: 90)
        let gray = try decode(try encoder.encode(mask), as: .gray)
        XCTAssertEqual(gray.width, width)
        XCTAssertEqual(gray.height, height)
        let gap = difference(gray, mask.grayImage())
        XCTAssertLessThanOrEqual(gap.mean, 2)
        XCTAssertLessThanOrEqual(gap.largest, 8)
        let colour = try decode(try encoder.encode(mask), as: .rgb)
        let tint = stride(from: 0, to: colour.pixels.count, by: 3).map { index in
            let pixel = colour.pixels[index..<index + 3].map(Int.init)
            return pixel.max()! - pixel.min()!
        }.max()!
        XCTAssertLessThanOrEqual(tint, 2)
    }

    /// Confidences outside 0...1 (and NaN) are clamped, not trapped on.
    func testOutOfRangeConfidencesAreClamped() throws {
        let mask = ConfidenceMask(width: 16, height: 16, values: (0..<256).map { [Float(-3), 7, .nan, .infinity][$0 / 64] })
        let gray = try decode(try PreviewEncoder().encode(mask), as: .gray)
        let rows = [0, 4, 8, 12].map { gray[row: $0 + 1] }
        XCTAssertEqual(rows.map { $0.max()! <= 3 }, [true, false, true, false], "\(rows)")
        XCTAssertEqual(rows.map { $0.min()! >= 252 }, [false, true, false, true], "\(rows)")
    }

    // MARK: Bad input

    func testBadInputIsRefusedNamingTheProblem() throws {
        let encoder = try PreviewEncoder()
        for bad in [PixelImage(width: 0, height: 0, format: .rgb), PixelImage(width: 4, height: 4, format: .rgb, pixels: [1, 2, 3])] {
            XCTAssertThrowsError(try encoder.encode(bad)) { error in
                guard case MediaError.invalidImage(path: "preview", let reason) = error else { return XCTFail("\(error)") }
                XCTAssertEqual(reason, bad.layoutProblem)
            }
        }
        var broken = ConfidenceMask(width: 4, height: 4)
        broken.width = 5
        for mask in [ConfidenceMask(), broken] {
            XCTAssertThrowsError(try encoder.encode(mask)) { error in
                guard case MediaError.invalidImage = error else { return XCTFail("\(error)") }
                XCTAssertTrue("\(error)".contains("\(mask.width)x\(mask.height) with \(mask.values.count) values"), "\(error)")
            }
        }
        XCTAssertThrowsError(try encoder.encode(PixelImage(width: 1, height: 70_000, format: .gray))) { error in
            XCTAssertTrue("\(error)".contains("at most 65535"), "\(error)")
        }
        // The encoder still works after refusing input.
        XCTAssertEqual(try decode(try encoder.encode(gradient(.rgb, width: 8, height: 8))).width, 8)
    }

    func testBadSettingsAreRefusedAtInit() {
        for (maxWidth, quality, named) in [(0, 80, "maxWidth 0"), (640, 0, "quality 0"), (640, 101, "quality 101")] {
            XCTAssertThrowsError(try PreviewEncoder(maxWidth: maxWidth, quality: quality)) { error in
                guard case MediaError.unsupported = error else { return XCTFail("\(error)") }
                XCTAssertTrue("\(error)".contains(named), "\(error)")
            }
        }
    }

    // MARK: Steady state

    /// Once the codec is open for a size, encoding into a kept buffer allocates no Swift memory and
    /// the buffer keeps its storage. libavcodec's MJPEG encoder still mallocs ~50 blocks a picture (its
    /// copy of the input and per-picture tables, freed at once), under half of what the first call
    /// costs with the codec and scaler opening: a codec or scaler re-made per frame would fail this.
    func testSteadyStateReusesTheCodecAndAllocatesNothing() throws {
        guard let counters = AllocationCounters.loaded() else {
            let child = try AllocationCounters.rerunPreloaded(
                "BackdropMediaTests.PreviewEncoderTests/testSteadyStateReusesTheCodecAndAllocatesNothing", checkout: Checkout.root()!)
            return XCTAssertTrue(AllocationCounters.passed(child), "the counted run failed:\n\(child.stdout)\n\(child.errors)")
        }
        let frame = try sceneFrame(width: 1280, height: 720)
        var mask = ConfidenceMask(width: 256, height: 144)
        for index in mask.values.indices { mask.values[index] = Float(index % 256) / 255 }
        for encodesMask in [false, true] {
            let encoder = try PreviewEncoder()
            var jpeg: [UInt8] = []
            jpeg.reserveCapacity(1 << 20)
            func encodeOne() throws {
                if encodesMask { try encoder.encode(mask, into: &jpeg) } else { try encoder.encode(frame, into: &jpeg) }
            }
            let mallocsBefore = counters.mallocCalls()
            try encodeOne()  // opens the codec, the picture and the scaler
            let firstCallMallocs = Int(counters.mallocCalls() - mallocsBefore)
            try encodeOne()  // and the debug runtime's one-off caches
            let address = jpeg.withUnsafeBufferPointer { UInt(bitPattern: $0.baseAddress) }
            let pictures = 50
            let steadyMallocsBefore = counters.mallocCalls()
            let allocations = try counters.countSwiftAllocations {
                for _ in 0..<pictures { try encodeOne() }
            }
            let mallocsPerPicture = Double(counters.mallocCalls() - steadyMallocsBefore) / Double(pictures)
            XCTAssertEqual(allocations, 0, "Swift heap allocations in \(pictures) pictures")
            XCTAssertEqual(jpeg.withUnsafeBufferPointer { UInt(bitPattern: $0.baseAddress) }, address)
            XCTAssertLessThan(mallocsPerPicture * 2, Double(firstCallMallocs),
                              "\(mallocsPerPicture) mallocs a picture against \(firstCallMallocs) for the first")
        }
    }
}

private extension PixelImage {
    /// One row of a gray image.
    subscript(row row: Int) -> ArraySlice<UInt8> { pixels[row * bytesPerRow..<(row + 1) * bytesPerRow] }
}

import BackdropCore
import BackdropMedia
import BackdropTestSupport
import XCTest

/// The pipeline shrinks frames for inference with `ImageResampler` (plain Swift, no FFmpeg); its
/// output must be what libswscale's area averaging (`ImageResizer`) gives, within rounding.
final class ImageResamplerTests: XCTestCase {
    private func frame(width: Int = 1280, height: Int = 720) throws -> PixelImage {
        var frame = VideoFrame(image: PixelImage(width: 0, height: 0, format: .rgb))
        let scene = try SyntheticSource(width: width, height: height, frameRate: 30, frameCount: 1)
        XCTAssertTrue(try scene.read(into: &frame))
        return frame.image
    }

    private func meanDifference(_ a: PixelImage, _ b: PixelImage) -> Double {
        Double(zip(a.pixels, b.pixels).reduce(0) { $0 + abs(Int($1.0) - Int($1.1)) }) / Double(a.pixels.count)
    }

    func testShrinkingMatchesLibswscalesAreaAveraging() throws {
        let source = try frame()
        for (width, height) in [(256, 144), (640, 360), (300, 170)] {
            var swift = PixelImage(width: 0, height: 0, format: .rgb), swscale = swift
            try ImageResampler().resize(source, to: width, height, into: &swift)
            try ImageResizer().resize(source, to: width, height, into: &swscale)
            XCTAssertEqual(swift.width, width)
            XCTAssertEqual(swift.height, height)
            XCTAssertEqual(swift.pixels.count, swscale.pixels.count)
            let mean = meanDifference(swift, swscale)
            XCTAssertLessThan(mean, 1.0, "\(width)x\(height): mean difference per channel")
        }
    }

    func testGrowingMatchesLibswscalesBilinear() throws {
        let source = try frame(width: 320, height: 180)
        var swift = PixelImage(width: 0, height: 0, format: .rgb), swscale = swift
        try ImageResampler().resize(source, to: 640, 360, into: &swift)
        try ImageResizer().resize(source, to: 640, 360, into: &swscale)
        XCTAssertLessThan(meanDifference(swift, swscale), 2.0)
    }

    /// Whole blocks average exactly; a flat image stays flat at any size; every format keeps its channels.
    func testBlocksAverageExactlyInEveryFormat() throws {
        for format in PixelFormat.allCases {
            let channels = format.bytesPerPixel
            var source = PixelImage(width: 4, height: 2, format: format)
            // Two 2x2 blocks: the left one 10, 20, 30, 40 in every channel; the right one all 200.
            for y in 0..<2 {
                for x in 0..<4 {
                    let value: UInt8 = x < 2 ? UInt8(10 + 10 * (y * 2 + x)) : 200
                    for channel in 0..<channels { source.pixels[(y * 4 + x) * channels + channel] = value }
                }
            }
            var small = PixelImage(width: 0, height: 0, format: format)
            try ImageResampler().resize(source, to: 2, 1, into: &small)
            XCTAssertEqual(small.format, format)
            XCTAssertEqual(small.pixels, [UInt8](repeating: 25, count: channels) + [UInt8](repeating: 200, count: channels),
                           "\(format)")

            let flat = PixelImage(width: 37, height: 23, format: format, pixels: [UInt8](repeating: 77, count: 37 * 23 * channels))
            for (width, height) in [(5, 3), (37, 23), (80, 41)] {
                var resized = PixelImage(width: 0, height: 0, format: format)
                try ImageResampler().resize(flat, to: width, height, into: &resized)
                XCTAssertEqual(Set(resized.pixels), [77], "\(format) \(width)x\(height)")
            }
        }
    }

    /// Halving is the mean of each 2x2 block, rounded (an odd side's last block repeats its row or
    /// column), in every format and at sizes that exercise the chunked loop and its tail; an exact
    /// 2x resize is that halving, and a 4x one is within one level of the 4x4 blocks' mean.
    func testHalvingAveragesEachBlockAndExactReductionsUseIt() throws {
        var random = SystemRandomNumberGenerator()
        for format in PixelFormat.allCases {
            let channels = format.bytesPerPixel
            for (width, height) in [(1, 1), (2, 2), (3, 5), (43, 7), (130, 9), (301, 4)] {
                let source = PixelImage(width: width, height: height, format: format,
                                        pixels: (0..<(width * height * channels)).map { _ in UInt8.random(in: 0...255, using: &random) })
                func value(_ x: Int, _ y: Int, _ channel: Int) -> Int {
                    Int(source.pixels[(min(y, height - 1) * width + min(x, width - 1)) * channels + channel])
                }
                var halved = PixelImage(width: 0, height: 0, format: .rgb)
                try ImageResampler().halve(source, times: 1, into: &halved)
                XCTAssertEqual([halved.width, halved.height], [(width + 1) / 2, (height + 1) / 2])
                XCTAssertEqual(halved.format, format)
                var expected = [UInt8]()
                for y in 0..<halved.height {
                    for x in 0..<halved.width {
                        for channel in 0..<channels {
                            let sum = value(2 * x, 2 * y, channel) + value(2 * x + 1, 2 * y, channel)
                                + value(2 * x, 2 * y + 1, channel) + value(2 * x + 1, 2 * y + 1, channel)
                            expected.append(UInt8((sum + 2) / 4))
                        }
                    }
                }
                XCTAssertEqual(halved.pixels, expected, "\(format) \(width)x\(height)")
            }
        }

        let frame = try frame()
        var twice = PixelImage(width: 0, height: 0, format: .rgb), resized = twice, quarter = twice
        try ImageResampler().halve(frame, times: 1, into: &twice)
        try ImageResampler().resize(frame, to: 640, 360, into: &resized)
        XCTAssertEqual(resized, twice, "an exact 2x reduction is a halving")
        try ImageResampler().resize(frame, to: 320, 180, into: &quarter)
        XCTAssertEqual([quarter.width, quarter.height], [320, 180])
        var largest = 0
        for y in 0..<180 {
            for x in 0..<320 {
                for channel in 0..<3 {
                    var sum = 0
                    for dy in 0..<4 { for dx in 0..<4 { sum += Int(frame.pixels[((4 * y + dy) * 1280 + 4 * x + dx) * 3 + channel]) } }
                    largest = max(largest, abs(Int(quarter.pixels[(y * 320 + x) * 3 + channel]) - (sum + 8) / 16))
                }
            }
        }
        XCTAssertLessThanOrEqual(largest, 1, "a 4x reduction rounds twice, so at most one level from the 4x4 mean")

        var copy = PixelImage(width: 0, height: 0, format: .rgb)
        try ImageResampler().halve(frame, times: 0, into: &copy)
        XCTAssertEqual(copy, frame, "no halving is a copy")
        var thrice = PixelImage(width: 0, height: 0, format: .rgb)
        try ImageResampler().halve(frame, times: 3, into: &thrice)
        XCTAssertEqual([thrice.width, thrice.height], [160, 90])
    }

    func testABrokenImageOrSizeIsRefusedNamingTheProblem() {
        let resampler = ImageResampler()
        var output = PixelImage(width: 0, height: 0, format: .rgb)
        let short = PixelImage(width: 10, height: 10, format: .rgb, pixels: [UInt8](repeating: 0, count: 10))
        XCTAssertThrowsError(try resampler.resize(short, to: 5, 5, into: &output)) { error in
            XCTAssertTrue("\(error)".contains("holds 10 bytes"), "\(error)")
        }
        XCTAssertThrowsError(try resampler.resize(PixelImage(width: 10, height: 10, format: .rgb), to: 0, 5, into: &output)) { error in
            XCTAssertTrue("\(error)".contains("0x5"), "\(error)")
        }
    }

    /// Once sized, shrinking a frame allocates nothing and writes into the same storage.
    func testSteadyStateAllocatesNothing() throws {
        guard let counters = AllocationCounters.loaded() else {
            let child = try AllocationCounters.rerunPreloaded("BackdropMediaTests.ImageResamplerTests/testSteadyStateAllocatesNothing",
                                                              checkout: Checkout.root()!)
            return XCTAssertTrue(AllocationCounters.passed(child), "the counted run failed:\n\(child.stdout)\n\(child.errors)")
        }
        let source = try frame()
        let resampler = ImageResampler()
        var small = PixelImage(width: 0, height: 0, format: .rgb)
        // The first calls size the output, the weight tables and the row of sums (and the debug
        // runtime's one-off caches).
        // Each size through its own path: the general one, an exact halving, a 4x reduction.
        for (width, height) in [(256, 144), (640, 360), (320, 180)] {
            for _ in 0..<2 { try resampler.resize(source, to: width, height, into: &small) }
            let address = small.pixels.withUnsafeBufferPointer { UInt(bitPattern: $0.baseAddress) }
            let allocations = try counters.countSwiftAllocations {
                for _ in 0..<50 { try resampler.resize(source, to: width, height, into: &small) }
            }
            XCTAssertEqual(allocations, 0, "Swift heap allocations in 50 resizes to \(width)x\(height)")
            XCTAssertEqual(small.pixels.withUnsafeBufferPointer { UInt(bitPattern: $0.baseAddress) }, address)
        }
    }
}

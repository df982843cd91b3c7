import BackdropCore
import BackdropMedia
import Foundation
import XCTest

final class MaskVideoSinkTests: SinkTestCase {
    /// A soft-edged disc moving right: exact 0 and 1 regions and a ramp between them.
    static func mask(_ index: Int, width: Int = 320, height: Int = 240) -> Mask<Float> {
        var mask = Mask<Float>(width: width, height: height)
        let centreX = Float(80 + 4 * index), centreY = Float(height / 2)
        for y in 0..<height {
            for x in 0..<width {
                let distance = ((Float(x) - centreX) * (Float(x) - centreX) + (Float(y) - centreY) * (Float(y) - centreY)).squareRoot()
                mask[x, y] = min(1, max(0, (70 - distance) / 12))
            }
        }
        return mask
    }

    func testLosslessGrayMaskIsExact() throws {
        let file = path("mask.mkv")
        let sink = try MaskVideoSink(path: file, width: 320, height: 240, frameRate: 30)
        for index in 0..<10 { try sink.write(Self.gradient(index), mask: Self.mask(index)) }
        try sink.finish()
        XCTAssertEqual(try probe(file), Probe(frames: 10, width: 320, height: 240, codec: "ffv1", pixelFormat: "gray"))
        let decoded = try decode(file, pixelFormat: "gray", width: 320, height: 240, bytesPerPixel: 1)
        XCTAssertEqual(decoded, (0..<10).map { Self.mask($0).grayImage().pixels })
    }

    func testH264GrayMaskIsClose() throws {
        let file = path("mask.mp4")
        let sink = try MaskVideoSink(path: file, width: 320, height: 240, frameRate: 30, codec: .h264(crf: 18, preset: "veryfast"))
        for index in 0..<30 { try sink.write(Self.gradient(index), mask: Self.mask(index)) }
        try sink.finish()
        XCTAssertEqual(try probe(file), Probe(frames: 30, width: 320, height: 240, codec: "h264", pixelFormat: "yuvj420p"))
        let decoded = try decode(file, pixelFormat: "gray", width: 320, height: 240, bytesPerPixel: 1)
        XCTAssertEqual(decoded.count, 30)
        let worst = decoded.indices.map { psnr(decoded[$0], Self.mask($0).grayImage().pixels) }.min() ?? 0
        print("H.264 gray mask: worst frame PSNR \(worst) dB")
        XCTAssertGreaterThan(worst, 40)
    }

    func testFrameWithAlphaKeepsColourAndMaskExactly() throws {
        let file = path("keyed.mkv")
        let sink = try MaskVideoSink(path: file, width: 320, height: 240, frameRate: 30, layout: .frameWithAlpha)
        for index in 0..<5 { try sink.write(Self.gradient(index), mask: Self.mask(index)) }
        try sink.finish()
        XCTAssertEqual(try probe(file), Probe(frames: 5, width: 320, height: 240, codec: "ffv1", pixelFormat: "bgra"))
        let decoded = try decode(file, pixelFormat: "rgba", width: 320, height: 240, bytesPerPixel: 4)
        XCTAssertEqual(decoded.count, 5)
        for (index, pixels) in decoded.enumerated() {
            let alpha = Self.mask(index).grayImage().pixels
            let colour = Self.gradient(index).image.pixels
            XCTAssertEqual((0..<alpha.count).map { pixels[$0 * 4 + 3] }, alpha, "alpha of frame \(index) is the mask")
            XCTAssertEqual((0..<alpha.count).flatMap { pixels[($0 * 4)..<($0 * 4 + 3)] }, colour, "colour of frame \(index)")
        }
    }

    func testMismatchesAreRefused() throws {
        XCTAssertThrowsError(try MaskVideoSink(path: path("a.mp4"), width: 320, height: 240, frameRate: 30,
                                               layout: .frameWithAlpha, codec: .h264())) { error in
            guard case let .unsupported(_, reason) = error as? MediaError else { return XCTFail("\(error)") }
            XCTAssertTrue(reason.contains("alpha"), reason)
        }
        let sink = try MaskVideoSink(path: path("b.mkv"), width: 320, height: 240, frameRate: 30)
        XCTAssertThrowsError(try sink.write(Self.gradient(0), mask: Self.mask(0, width: 160, height: 120))) { error in
            guard case let .invalidImage(_, reason) = error as? MediaError else { return XCTFail("\(error)") }
            XCTAssertTrue(reason.contains("160x120"), reason)
        }
        var odd = Self.mask(1)
        odd.values[0] = .nan
        odd.values[1] = 7
        try sink.write(Self.gradient(1), mask: odd)  // NaN and out-of-range values are clamped, not a crash
        sink.cancel()
        XCTAssertEqual(try folderContents(), [])
    }
}

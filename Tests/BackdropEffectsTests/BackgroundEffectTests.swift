import BackdropCore
import BackdropEffects
import XCTest

final class BackgroundEffectTests: XCTestCase {
    /// Person pixels (mask > 0.9) stay as they were (max |diff| <= 2); background pixels
    /// (mask < 0.1) change (mean |diff| > 4 grey levels at strength 15).
    func testBlurKeepsThePersonAndBlursTheBackground() throws {
        let photo = try Fixtures.astronaut()
        let mask = try Fixtures.personMask(photo)
        var frame = photo
        BackgroundBlur(strength: 15).apply(to: &frame, mask: mask)

        var personMax = 0, backgroundSum = 0, backgroundCount = 0, personCount = 0
        for i in mask.values.indices {
            let diff = (0..<3).map { abs(Int(frame.pixels[i * 3 + $0]) - Int(photo.pixels[i * 3 + $0])) }
            if mask.values[i] > 0.9 { personMax = max(personMax, diff.max()!); personCount += 1 }
            if mask.values[i] < 0.1 { backgroundSum += diff.reduce(0, +); backgroundCount += 3 }
        }
        let backgroundMean = Double(backgroundSum) / Double(backgroundCount)
        print("blur: person pixels \(personCount), max |diff| \(personMax); background values \(backgroundCount), "
            + String(format: "mean |diff| %.2f", backgroundMean))
        XCTAssertGreaterThan(personCount, 50_000)
        XCTAssertGreaterThan(backgroundCount, 50_000)
        XCTAssertLessThanOrEqual(personMax, 2)
        XCTAssertGreaterThan(backgroundMean, 4)
    }

    /// A 300x200 gradient background (red follows x, green follows y) covers the 512x512 frame:
    /// scale 2.56, the middle 200 columns kept. Background pixels (mask < 0.1) equal the scaled
    /// background (max |diff| <= 2 against the gradient's exact value at each pixel's source
    /// position, and exactly what `renderedBackground()` reports); person pixels (mask > 0.9) keep
    /// the frame exactly.
    func testReplacementCoversTheFrameAndKeepsThePerson() throws {
        let photo = try Fixtures.astronaut()
        let mask = try Fixtures.personMask(photo)
        var background = PixelImage(width: 300, height: 200, format: .rgb)
        func red(_ x: Double) -> Double { x * 255 / 299 }
        func green(_ y: Double) -> Double { y * 255 / 199 }
        for y in 0..<200 {
            for x in 0..<300 {
                background.pixels[(y * 300 + x) * 3] = UInt8(red(Double(x)).rounded())
                background.pixels[(y * 300 + x) * 3 + 1] = UInt8(green(Double(y)).rounded())
                background.pixels[(y * 300 + x) * 3 + 2] = 128
            }
        }
        let replacement = BackgroundReplacement(image: background)
        var frame = photo
        replacement.apply(to: &frame, mask: mask)
        let rendered = try XCTUnwrap(replacement.renderedBackground())

        let scale = 2.56, offsetX = 50.0
        var backgroundMax = 0, renderedMax = 0, personMax = 0, backgroundCount = 0
        for y in 0..<512 {
            for x in 0..<512 {
                let i = y * 512 + x
                let pixel = (0..<3).map { Int(frame.pixels[i * 3 + $0]) }
                if mask.values[i] < 0.1 {
                    backgroundCount += 1
                    let sx = min(max((Double(x) + 0.5) / scale - 0.5 + offsetX, 0), 299)
                    let sy = min(max((Double(y) + 0.5) / scale - 0.5, 0), 199)
                    let expected = [red(sx), green(sy), 128]
                    for c in 0..<3 {
                        backgroundMax = max(backgroundMax, Int(abs(Double(pixel[c]) - expected[c]).rounded(.up)))
                        renderedMax = max(renderedMax, abs(pixel[c] - Int(rendered.pixels[i * 3 + c])))
                    }
                }
                if mask.values[i] > 0.9 {
                    for c in 0..<3 { personMax = max(personMax, abs(pixel[c] - Int(photo.pixels[i * 3 + c]))) }
                }
            }
        }
        print("replacement: \(backgroundCount) background pixels, max |diff| vs gradient \(backgroundMax), "
            + "vs renderedBackground \(renderedMax); person max |diff| \(personMax)")
        XCTAssertGreaterThan(backgroundCount, 50_000)
        XCTAssertLessThanOrEqual(backgroundMax, 2)
        XCTAssertEqual(renderedMax, 0)
        XCTAssertEqual(personMax, 0)
    }

    func testGreenScreenPaintsTheBackgroundPureGreen() throws {
        let photo = try Fixtures.astronaut()
        let mask = try Fixtures.personMask(photo)
        var frame = photo
        let renderer = EffectRenderer(effect: .greenScreen, smoothsMask: false)
        renderer.apply(to: &frame, mask: mask, faces: nil)
        var wrong = 0, background = 0
        for i in mask.values.indices where mask.values[i] < 0.1 {
            background += 1
            if frame.pixels[i * 3] != 0 || frame.pixels[i * 3 + 1] != 255 || frame.pixels[i * 3 + 2] != 0 { wrong += 1 }
        }
        XCTAssertGreaterThan(background, 50_000)
        XCTAssertEqual(wrong, 0)
    }

    /// The renderer refines a small mask to the frame's size itself: a 128x128 mask on the 512x512
    /// photo gives the same kind of result as blurring with the full-size mask.
    func testRendererRefinesASmallMaskToTheFrame() throws {
        let photo = try Fixtures.astronaut()
        let segmenter = try Fixtures.segmenter()
        let reference = try Fixtures.personMask(photo, segmenter: segmenter)
        let small = try Fixtures.personMask(Fixtures.downscale(photo, by: 4), segmenter: segmenter)
        var frame = photo
        EffectRenderer(effect: .color(red: 255, green: 0, blue: 255)).apply(to: &frame, mask: small, faces: nil)
        var magenta = 0, agree = 0, counted = 0
        for i in reference.values.indices where reference.values[i] < 0.05 || reference.values[i] > 0.95 {
            let isMagenta = frame.pixels[i * 3] == 255 && frame.pixels[i * 3 + 1] == 0 && frame.pixels[i * 3 + 2] == 255
            if isMagenta { magenta += 1 }
            if isMagenta == (reference.values[i] < 0.05) { agree += 1 }
            counted += 1
        }
        print("renderer with a 128x128 mask: \(agree) of \(counted) confident pixels agree with the 512x512 mask")
        XCTAssertGreaterThan(magenta, 50_000)
        XCTAssertGreaterThan(Double(agree) / Double(counted), 0.95)
    }
}

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

    /// The half-size blur (the default from box radius 4) against the same blur at full size on
    /// the photo: mean |diff| under 2 grey levels over all pixels, and no pixel of the person
    /// (mask > 0.9) changed by more than 2. Still a blur: background differs from the photo by
    /// a mean of more than 4.
    func testHalfSizeBlurMatchesTheFullSizeBlur() throws {
        let photo = try Fixtures.astronaut()
        let mask = try Fixtures.personMask(photo)
        var half = photo, full = photo
        let halfSize = BackgroundBlur(strength: 16)
        XCTAssertGreaterThanOrEqual(BackgroundBlur.boxRadius(strength: 16), halfSize.halfSizeFromBoxRadius)
        halfSize.apply(to: &half, mask: mask)
        BackgroundBlur(strength: 16, halfSizeFromBoxRadius: .max).apply(to: &full, mask: mask)
        var sum = 0, personMax = 0, backgroundChange = 0, backgroundCount = 0
        for i in mask.values.indices {
            for c in 0..<3 {
                let k = i * 3 + c
                let diff = abs(Int(half.pixels[k]) - Int(full.pixels[k]))
                sum += diff
                if mask.values[i] > 0.9 { personMax = max(personMax, abs(Int(half.pixels[k]) - Int(photo.pixels[k]))) }
                if mask.values[i] < 0.1 { backgroundChange += abs(Int(half.pixels[k]) - Int(photo.pixels[k])); backgroundCount += 1 }
            }
        }
        let mean = Double(sum) / Double(half.pixels.count)
        let backgroundMean = Double(backgroundChange) / Double(max(1, backgroundCount))
        print(String(format: "half-size blur vs full size: mean |diff| %.2f; background vs photo %.2f", mean, backgroundMean))
        XCTAssertLessThan(mean, 2)
        XCTAssertLessThanOrEqual(personMax, 2)
        XCTAssertGreaterThan(backgroundMean, 4)
    }

    /// An odd-sized image (101x51) halves to 51x26 and doubles back to its own size: a flat grey
    /// image stays exactly flat (no edge pixel reads outside or darkens), a left-right ramp stays
    /// within 2 levels of itself away from the edges.
    func testHalfSizeBlurHandlesOddSizes() {
        for (value, ramp) in [(137, false), (0, true)] {
            var image = PixelImage(width: 101, height: 51, format: .rgb)
            for y in 0..<51 {
                for x in 0..<101 {
                    for c in 0..<3 { image.pixels[(y * 101 + x) * 3 + c] = UInt8(ramp ? x * 2 : value) }
                }
            }
            let original = image
            let background = ConfidenceMask(width: 101, height: 51, values: [Float](repeating: 0, count: 101 * 51))
            BackgroundBlur(strength: 12).apply(to: &image, mask: background)
            for y in 0..<51 {
                for x in 0..<101 {
                    let got = Int(image.pixels[(y * 101 + x) * 3]), was = Int(original.pixels[(y * 101 + x) * 3])
                    if !ramp { XCTAssertEqual(got, was, "flat grey at (\(x), \(y))") }
                    if ramp, x >= 20, x < 81 { XCTAssertLessThanOrEqual(abs(got - was), 2, "ramp at (\(x), \(y))") }
                }
            }
        }
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

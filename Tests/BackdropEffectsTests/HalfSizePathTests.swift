import BackdropCore
@testable import BackdropEffects
import BackdropMediaPipe
import XCTest

/// The per-frame path: the mask prepared at half the frame's size, the background blurred small,
/// and one pass (`UpscalingBlend`) that brings both up while blending. It must look like the
/// full-size path it replaces and keep the person's pixels exactly.
final class HalfSizePathTests: XCTestCase {
    /// Against the same prepared mask doubled to a full-size `Float` mask and composited the old
    /// way (a `MatteTable` per pixel, the blurred background doubled into a full-size image): mean
    /// |difference| under 0.5 grey levels, none over 12 (weights rounded to bytes at half size), and
    /// every pixel whose mask is solidly the person (>= 0.999) exactly the photo's.
    func testMatchesTheFullSizeCompositeAndKeepsThePersonExactly() throws {
        let photo = try Fixtures.astronaut()
        let small = Fixtures.downscale(photo, by: 4)
        let mask = try Fixtures.personMask(small)
        for effect in [Effect.blur(strength: 16), .blur(strength: 12), .blur(strength: 6), .color(red: 20, green: 200, blue: 90)] {
            let renderer = EffectRenderer(effect: effect)
            var fast = photo
            renderer.prepareHalfSizeMask(mask, for: photo, halfFrame: nil, featherRadius: 2)
            renderer.applyPrepared(to: &fast, halfFrame: nil, faces: nil)
            var fullMask = ConfidenceMask()
            renderer.writePreparedMask(for: photo, into: &fullMask)
            var reference = photo
            renderer.frameEffect.apply(to: &reference, mask: fullMask, faces: FaceLandmarkerResult())

            var sum = 0, largest = 0, personChanged = 0, personCount = 0
            for i in fullMask.values.indices {
                for c in 0..<3 {
                    let k = i * 3 + c
                    let difference = abs(Int(fast.pixels[k]) - Int(reference.pixels[k]))
                    sum += difference
                    largest = max(largest, difference)
                    if fullMask.values[i] >= 0.999 {
                        personCount += 1
                        if fast.pixels[k] != photo.pixels[k] { personChanged += 1 }
                    }
                }
            }
            let mean = Double(sum) / Double(fast.pixels.count)
            print(String(format: "\(effect): half-size path vs full-size composite: mean |diff| %.3f, largest %d; "
                         + "%d person bytes, %d changed", mean, largest, personCount, personChanged))
            XCTAssertLessThan(mean, 0.5, "\(effect)")
            // 12: besides the weights' rounding, the halo-free blur's background share at quarter
            // size comes from the half-size weights on one path and the full-size mask on the other.
            XCTAssertLessThanOrEqual(largest, 12, "\(effect)")
            XCTAssertGreaterThan(personCount, fast.pixels.count / 10, "the photo has a person")
            XCTAssertEqual(personChanged, 0, "\(effect): the person's interior is kept exactly")
        }
    }

    /// A frame the pipeline gives a half-size copy of (its inference image) is drawn exactly as
    /// one the renderer halves itself, and both sizes of odd frames work.
    func testTheCallersHalfFrameGivesTheSameResult() throws {
        for (width, height) in [(640, 360), (101, 51)] {
            var frame = PixelImage(width: width, height: height, format: .rgb)
            for i in frame.pixels.indices { frame.pixels[i] = UInt8(truncatingIfNeeded: (i * 7919) % 251) }
            var mask = ConfidenceMask(width: 40, height: 30)
            for i in mask.values.indices { mask.values[i] = (i % 40) < 20 ? 1 : 0 }
            var half = PixelImage(width: HalfScale.half(width), height: HalfScale.half(height), format: .rgb)
            frame.pixels.withUnsafeBufferPointer { source in
                half.pixels.withUnsafeMutableBufferPointer { HalfScale.halve(source.baseAddress!, width: width, height: height, channels: 3, into: $0.baseAddress!) }
            }
            var given = frame, own = frame
            let first = EffectRenderer(effect: .blur(strength: 16)), second = EffectRenderer(effect: .blur(strength: 16))
            first.prepareHalfSizeMask(mask, for: frame, halfFrame: half, featherRadius: 2)
            first.applyPrepared(to: &given, halfFrame: half, faces: nil)
            second.prepareHalfSizeMask(mask, for: frame, halfFrame: nil, featherRadius: 2)
            second.applyPrepared(to: &own, halfFrame: nil, faces: nil)
            XCTAssertEqual(given.pixels, own.pixels, "\(width)x\(height)")
            XCTAssertNotEqual(given.pixels, frame.pixels, "\(width)x\(height): the background was blurred")
        }
    }

    /// The blend brings a reduced background up bilinearly with pixel centres at +0.5 (the
    /// convention of `HalfScale`): with every weight 0 the frame becomes the background resized by
    /// the definition, within 1 level (integer rounding), from half and from quarter size; the
    /// half-size case also agrees with `HalfScale.double` within 1. With every weight 255 the frame
    /// stays exactly as it was. RGB and RGBA (alpha kept), even and odd sizes.
    func testUpscalingIsBilinearAndFullWeightKeepsTheFrame() {
        for (width, height, channels) in [(64, 36, 3), (101, 51, 3), (37, 23, 4)] {
            let halfWidth = HalfScale.half(width), halfHeight = HalfScale.half(height)
            let frame = (0..<(width * height * channels)).map { UInt8(truncatingIfNeeded: $0 * 13) }
            let blend = UpscalingBlend()
            let none = [UInt8](repeating: 0, count: halfWidth * halfHeight)
            let all = [UInt8](repeating: 255, count: halfWidth * halfHeight)
            for factor in [2, 4] {
                let smallWidth = factor == 2 ? halfWidth : HalfScale.half(halfWidth)
                let smallHeight = factor == 2 ? halfHeight : HalfScale.half(halfHeight)
                let small = (0..<(smallWidth * smallHeight * channels)).map { UInt8(truncatingIfNeeded: ($0 * 37) % 256) }
                var out = frame
                small.withUnsafeBufferPointer { image in
                    blend.blend(frame: &out, width: width, height: height, channels: channels, halfWeights: none,
                                background: .reduced(image.baseAddress!, factor: factor))
                }
                var largest = 0
                for y in 0..<height {
                    for x in 0..<width {
                        for c in 0..<min(channels, 3) {
                            let expected = Self.bilinear(small, width: smallWidth, height: smallHeight, channels: channels,
                                                         x: (Double(x) + 0.5) / Double(factor) - 0.5,
                                                         y: (Double(y) + 0.5) / Double(factor) - 0.5, channel: c)
                            largest = max(largest, Int(abs(Double(out[(y * width + x) * channels + c]) - expected).rounded(.up)))
                        }
                    }
                }
                XCTAssertLessThanOrEqual(largest, 1, "\(width)x\(height)x\(channels) from 1/\(factor)")
                if factor == 2 {
                    var doubled = [UInt8](repeating: 0, count: width * height * channels)
                    var row = [UInt16](repeating: 0, count: halfWidth * channels)
                    HalfScale.double(small, width: width, height: height, channels: channels, into: &doubled, row: &row)
                    let apart = zip(out, doubled).enumerated().filter { channels == 3 || $0.offset % 4 != 3 }
                        .map { abs(Int($0.element.0) - Int($0.element.1)) }.max() ?? 0
                    XCTAssertLessThanOrEqual(apart, 1, "\(width)x\(height)x\(channels): as HalfScale.double")
                }
                if channels == 4 {
                    XCTAssertTrue(stride(from: 3, to: out.count, by: 4).allSatisfy { out[$0] == frame[$0] }, "alpha kept")
                }
                var kept = frame
                small.withUnsafeBufferPointer { image in
                    blend.blend(frame: &kept, width: width, height: height, channels: channels, halfWeights: all,
                                background: .reduced(image.baseAddress!, factor: factor))
                }
                XCTAssertEqual(kept, frame, "\(width)x\(height)x\(channels): weight 255 keeps every byte")
            }
        }
    }

    /// Bilinear sample of an interleaved image at (x, y) in its pixel coordinates, edges clamped.
    private static func bilinear(_ image: [UInt8], width: Int, height: Int, channels: Int, x: Double, y: Double,
                                 channel: Int) -> Double {
        let cx = min(max(x, 0), Double(width - 1)), cy = min(max(y, 0), Double(height - 1))
        let x0 = Int(cx), y0 = Int(cy), x1 = min(x0 + 1, width - 1), y1 = min(y0 + 1, height - 1)
        let fx = cx - Double(x0), fy = cy - Double(y0)
        func at(_ px: Int, _ py: Int) -> Double { Double(image[(py * width + px) * channels + channel]) }
        let top = at(x0, y0) * (1 - fx) + at(x1, y0) * fx, bottom = at(x0, y1) * (1 - fx) + at(x1, y1) * fx
        return top * (1 - fy) + bottom * fy
    }

    /// The weight bytes follow `MatteCurve.weight` (within 1 of 255 times it), NaN and values out
    /// of 0...1 clamped.
    func testWeightBytesFollowTheMatteCurve() {
        let values: [Float] = (0...400).map { Float($0) / 400 * 1.2 - 0.1 } + [.nan, -.infinity, .infinity]
        let mask = ConfidenceMask(width: values.count, height: 1, values: values)
        for curve in [MatteCurve.standard, .linear, MatteCurve(low: 0.3, high: 0.6, eased: false)] {
            let weights = MatteWeights()
            weights.make(from: mask, curve: curve)
            for (i, value) in values.enumerated() {
                let expected = value.isNaN ? 0 : curve.weight(value) * 255
                XCTAssertLessThanOrEqual(abs(Float(weights.pointer[i]) - expected), 1, "\(curve) at \(value)")
            }
        }
    }
}

import BackdropCore
@testable import BackdropEffects
import BackdropMediaPipe
import XCTest

/// Issue 14's properties of the edge, pinned on synthetic frames where the truth is exact: the
/// blur leaves no halo of the person's colours, smoothing adds no frame of delay, and the edge
/// bias moves the edge the way it says.
final class EdgeQualityTests: XCTestCase {
    private let width = 640, height = 360
    private let dark: UInt8 = 20, bright: UInt8 = 250

    /// A bright person (a disc) on a dark background, and its exact mask (1 inside, 0 outside).
    private func brightDisc(radius: Double = 90) -> (PixelImage, ConfidenceMask, (Int, Int) -> Double) {
        let centreX = Double(width) / 2, centreY = Double(height) / 2
        let distance = { (x: Int, y: Int) in ((Double(x) + 0.5 - centreX) * (Double(x) + 0.5 - centreX)
                                               + (Double(y) + 0.5 - centreY) * (Double(y) + 0.5 - centreY)).squareRoot() - radius }
        var frame = PixelImage(width: width, height: height, format: .rgb)
        var mask = ConfidenceMask()
        mask.reshape(width: width, height: height)
        for y in 0..<height {
            for x in 0..<width {
                let inside = distance(x, y) < 0
                for c in 0..<3 { frame.pixels[(y * width + x) * 3 + c] = inside ? bright : dark }
                mask.values[y * width + x] = inside ? 1 : 0
            }
        }
        return (frame, mask, distance)
    }

    /// The largest departure from the dark background in the ring `ring` pixels outside the disc.
    private func largestBackgroundChange(_ frame: PixelImage, distance: (Int, Int) -> Double, ring: ClosedRange<Double>) -> Int {
        var largest = 0
        for y in 0..<height {
            for x in 0..<width where ring.contains(distance(x, y)) {
                for c in 0..<3 { largest = max(largest, abs(Int(frame.pixels[(y * width + x) * 3 + c]) - Int(dark))) }
            }
        }
        return largest
    }

    /// After the default blur, the background 3-40 px outside the bright person stays within 2
    /// grey levels of its own dark value, on the pipeline's path (half-size weights) and on a
    /// full-size mask; a blur of the whole frame (what the blur did before) brightens it by more
    /// than 40 there, so the check can fail. The person 3 px and more inside is unchanged exactly.
    func testTheBlurredBackgroundBesideABrightPersonStaysDark() {
        let (frame, mask, distance) = brightDisc()
        let renderer = EffectRenderer(effect: .blur(strength: Effect.defaultBlurStrength), smoothsMask: false, refinesMask: false)
        var halfPath = frame
        renderer.prepareHalfSizeMask(mask, for: frame, halfFrame: nil, featherRadius: 0)
        renderer.applyPrepared(to: &halfPath, halfFrame: nil, faces: nil)
        var fullPath = frame
        BackgroundBlur(strength: Effect.defaultBlurStrength).apply(to: &fullPath, mask: mask)
        for (name, output) in [("half-size weights", halfPath), ("full-size mask", fullPath)] {
            XCTAssertLessThanOrEqual(largestBackgroundChange(output, distance: distance, ring: 3...40), 2, name)
            var changedInside = 0
            for y in 0..<height {
                for x in 0..<width where distance(x, y) <= -3 {
                    for c in 0..<3 where output.pixels[(y * width + x) * 3 + c] != bright { changedInside += 1 }
                }
            }
            XCTAssertEqual(changedInside, 0, "\(name): the person's pixels are kept")
        }
        // The control: the whole frame blurred, as a halo-prone blur does, then composited.
        let everywhere = ConfidenceMask(width: width, height: height, values: [Float](repeating: 0, count: width * height))
        var wholeFrame = frame
        BackgroundBlur(strength: Effect.defaultBlurStrength).apply(to: &wholeFrame, mask: everywhere)
        for y in 0..<height { for x in 0..<width where distance(x, y) < 0 {
            for c in 0..<3 { wholeFrame.pixels[(y * width + x) * 3 + c] = bright }
        } }
        XCTAssertGreaterThan(largestBackgroundChange(wholeFrame, distance: distance, ring: 3...40), 40,
                             "a blur of the whole frame brightens the background beside the person")
    }

    /// A person who moves 48 px in one frame: that frame's prepared mask is already at the new
    /// place (>= 0.95 where the person now is and was not, <= 0.05 where the person was and is no longer), with
    /// smoothing on, so every output frame is composited with its own mask. And where nothing
    /// moved, a jitter of 0.1 is damped to at most 0.03 (smoothing still works).
    func testSmoothingFollowsAMoveAtOnceAndStillDampsJitter() {
        let renderer = EffectRenderer(effect: .blur(strength: 16), smoothsMask: true, refinesMask: false)
        let frame = PixelImage(width: width, height: height, format: .rgb)
        let maskWidth = width / 4, maskHeight = height / 4
        func person(left: Int, jitter: Float) -> ConfidenceMask {
            var mask = ConfidenceMask()
            mask.reshape(width: maskWidth, height: maskHeight)
            for y in 0..<maskHeight { for x in 0..<maskWidth {
                let inside = x >= left && x < left + 40 && y >= 10
                mask.values[y * maskWidth + x] = inside ? 1 - jitter : jitter
            } }
            return mask
        }
        var prepared = ConfidenceMask()
        func value(atMaskX x: Int, y: Int) -> Float { prepared.values[(y * 4 + 2) * width + x * 4 + 2] }
        for frameIndex in 0..<10 {
            renderer.prepareHalfSizeMask(person(left: 40, jitter: frameIndex % 2 == 0 ? 0 : 0.1), for: frame, halfFrame: nil,
                                         featherRadius: 2)
        }
        renderer.writePreparedMask(for: frame, into: &prepared)
        XCTAssertLessThanOrEqual(abs(value(atMaskX: 60, y: 40) - 0.95), 0.03, "jitter of 0.1 damped where nothing moved")
        renderer.prepareHalfSizeMask(person(left: 52, jitter: 0), for: frame, halfFrame: nil, featherRadius: 2)
        renderer.writePreparedMask(for: frame, into: &prepared)
        for x in 82...89 { XCTAssertGreaterThanOrEqual(value(atMaskX: x, y: 40), 0.95, "x \(x): where the person now is") }
        for x in 41...49 { XCTAssertLessThanOrEqual(value(atMaskX: x, y: 40), 0.05, "x \(x): where the person was") }
    }

    /// The edge bias moves the 0.5 crossing of a ramp: inward for a positive bias, outward for a
    /// negative one, by the share of the ramp it says; 0 leaves the mask as it was.
    func testTheEdgeBiasMovesTheEdgeInOrOut() {
        var ramp = ConfidenceMask()
        ramp.reshape(width: 101, height: 1)
        for x in 0...100 { ramp.values[x] = Float(x) / 100 }  // background at x 0, person at x 100
        func crossing(_ bias: Float) -> Int {
            var mask = ramp
            if bias != 0 { MaskRefiner.biasEdge(&mask, by: bias) }
            return mask.values.firstIndex { $0 >= 0.5 }!
        }
        XCTAssertEqual(crossing(0), 50)
        XCTAssertEqual(crossing(0.2), 60, "inward: (c - 0.2) / 0.8 = 0.5 at c = 0.6")
        XCTAssertEqual(crossing(-0.2), 40, "outward: c / 0.8 = 0.5 at c = 0.4")
        var mask = ramp
        MaskRefiner.biasEdge(&mask, by: 0.3)
        XCTAssertEqual(mask.values[0], 0)
        XCTAssertEqual(mask.values[100], 1)
    }
}

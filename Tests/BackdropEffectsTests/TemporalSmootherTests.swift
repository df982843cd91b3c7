import BackdropCore
import BackdropEffects
import BackdropMediaPipe
import XCTest

final class TemporalSmootherTests: XCTestCase {
    /// Mean |mask(t) - mask(t-1)| over all pixels.
    private func meanChange(_ a: ConfidenceMask, _ b: ConfidenceMask) -> Double {
        var sum = 0.0
        for i in a.values.indices { sum += Double(abs(a.values[i] - b.values[i])) }
        return sum / Double(a.values.count)
    }

    /// A person holding still: 30 frames of the photo with ±3 grey levels of seeded noise, through
    /// the real segmenter in VIDEO mode. Smoothing must at least halve the mean frame-to-frame change.
    func testSmoothingHalvesFlickerWhileThePersonHoldsStill() throws {
        let photo = try Fixtures.astronaut()
        let segmenter = try Fixtures.segmenter(mode: .video)
        var generator = SeededGenerator(seed: 42)
        let smoother = TemporalSmoother()
        var result = SegmentationResult()
        var previousRaw = ConfidenceMask(), previousSmoothed = ConfidenceMask(), smoothed = ConfidenceMask()
        var rawChange = 0.0, smoothedChange = 0.0
        for frame in 0..<30 {
            let image = Fixtures.noisy(photo, amplitude: 3, generator: &generator)
            try segmenter.segment(videoFrame: image, timestampMs: Int64(frame) * 33, into: &result)
            let raw = result.confidenceMasks[0]
            smoother.smooth(raw, into: &smoothed)
            if frame > 0 {
                rawChange += meanChange(raw, previousRaw)
                smoothedChange += meanChange(smoothed, previousSmoothed)
            }
            previousRaw = raw
            previousSmoothed = smoothed
        }
        rawChange /= 29
        smoothedChange /= 29
        print(String(format: "flicker (mean |Δmask| per frame): smoothing off %.6f, on %.6f, ratio %.3f",
                     rawChange, smoothedChange, smoothedChange / rawChange))
        XCTAssertGreaterThan(rawChange, 0, "the noisy clip should make the segmenter jitter")
        XCTAssertLessThanOrEqual(smoothedChange / rawChange, 0.5)
    }

    /// The person moves 40 px between frame 10 and 11: within two frames the smoothed mask at the
    /// new position reaches more than 0.9 of the raw mask there, and the old position is cleared.
    func testNoTrailWhenThePersonMoves() throws {
        let photo = try Fixtures.astronaut()
        let moved = Fixtures.shifted(photo, dx: 40)
        let segmenter = try Fixtures.segmenter(mode: .video)
        var generator = SeededGenerator(seed: 7)
        let smoother = TemporalSmoother()
        var result = SegmentationResult()
        var smoothed = ConfidenceMask()
        var before = ConfidenceMask()
        var coverage: [Double] = [], trail: [Double] = []
        for frame in 0...12 {
            let image = Fixtures.noisy(frame <= 10 ? photo : moved, amplitude: 3, generator: &generator)
            try segmenter.segment(videoFrame: image, timestampMs: Int64(frame) * 33, into: &result)
            let raw = result.confidenceMasks[0]
            smoother.smooth(raw, into: &smoothed)
            if frame == 10 { before = raw }
            if frame >= 11 {
                // Newly covered: person now, background before. Vacated: the reverse.
                var rawSum = 0.0, smoothSum = 0.0, vacatedSum = 0.0, vacated = 0
                for i in raw.values.indices {
                    if raw.values[i] > 0.5 && before.values[i] < 0.5 {
                        rawSum += Double(raw.values[i]); smoothSum += Double(smoothed.values[i])
                    }
                    if raw.values[i] < 0.5 && before.values[i] > 0.5 {
                        vacatedSum += Double(smoothed.values[i]); vacated += 1
                    }
                }
                coverage.append(smoothSum / rawSum)
                trail.append(vacatedSum / Double(max(1, vacated)))
            }
        }
        print(String(format: "after a 40 px move: smoothed/raw at the new position %.3f (1 frame), %.3f (2 frames); "
            + "mean smoothed mask left at the old position %.3f, %.3f", coverage[0], coverage[1], trail[0], trail[1]))
        XCTAssertGreaterThan(coverage[1], 0.9)
        XCTAssertLessThan(trail[1], 0.1)
    }

    func testResetPassesTheNextMaskThrough() {
        let smoother = TemporalSmoother()
        var mask = ConfidenceMask(width: 4, height: 1, values: [0, 0, 0, 0])
        smoother.smooth(&mask)
        var next = ConfidenceMask(width: 4, height: 1, values: [0.1, 0.1, 0.1, 0.1])
        smoother.smooth(&next)
        XCTAssertEqual(next.values[0], 0.1 * 0.33333, accuracy: 1e-4)  // |change| / threshold 0.3 = 1/3 of the way
        smoother.reset()
        var fresh = ConfidenceMask(width: 4, height: 1, values: [0.1, 0.1, 0.1, 0.1])
        smoother.smooth(&fresh)
        XCTAssertEqual(fresh.values, [0.1, 0.1, 0.1, 0.1])
    }
}

@testable import BackdropEffects
import XCTest

/// The box mean against the definition: each output is the plain average of the input pixels in
/// its window, the window cut off at the borders. Both row paths are covered (window sums for
/// radii up to `directRadiusLimit`, running sums above), odd and tiny sizes included.
final class FloatBoxFilterTests: XCTestCase {
    func testMeanMatchesTheDefinitionForEveryRadiusPath() {
        let filter = FloatBoxFilter()
        for (width, height, radius) in [(5, 3, 2), (17, 9, 4), (64, 8, 1), (9, 9, FloatBoxFilter.directRadiusLimit + 1),
                                        (3, 7, 1), (4, 2, 4), (31, 5, 0)] {
            var generator = SystemRandomNumberGenerator()
            let input = (0..<(width * height)).map { _ in Float.random(in: 0...1, using: &generator) }
            var output = [Float](repeating: -1, count: input.count)
            input.withUnsafeBufferPointer { source in
                output.withUnsafeMutableBufferPointer { destination in
                    filter.mean(source.baseAddress!, into: destination.baseAddress!, width: width, height: height, radius: radius)
                }
            }
            var worst: Float = 0
            for y in 0..<height {
                for x in 0..<width {
                    var sum: Float = 0, count: Float = 0
                    for v in max(0, y - radius)...min(height - 1, y + radius) {
                        for u in max(0, x - radius)...min(width - 1, x + radius) { sum += input[v * width + u]; count += 1 }
                    }
                    worst = max(worst, abs(output[y * width + x] - sum / count))
                }
            }
            XCTAssertLessThan(worst, 1e-5, "\(width)x\(height), radius \(radius)")
        }
    }
}

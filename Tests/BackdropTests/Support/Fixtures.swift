import BackdropCore
import Foundation

/// Real pixels for tests: MediaPipe's own decode of the astronaut photo (via the Python reference,
/// so no image decoder of Backdrop's is involved).
enum Fixtures {
    static func astronaut(scratch: URL) throws -> PixelImage {
        try PythonReference.run([TestEnvironment.astronaut], maxFaces: 0, scratch: scratch)[0].pixels
    }

    /// Fraction of the mask's pixels above 0.5.
    static func personFraction(_ mask: ConfidenceMask) -> Double {
        Double(mask.values.filter { $0 > 0.5 }.count) / Double(max(1, mask.values.count))
    }
}

/// Collects values handed over from other threads.
final class Collector<Value: Sendable>: @unchecked Sendable {
    private let lock = NSLock()
    private var items: [Value] = []
    func append(_ value: Value) { lock.withLock { items.append(value) } }
    var values: [Value] { lock.withLock { items } }
}

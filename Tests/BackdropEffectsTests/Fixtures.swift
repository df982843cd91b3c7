import BackdropCore
import BackdropMedia
import BackdropMediaPipe
import Foundation
import XCTest

/// Real inputs for the effect tests: the astronaut photo (read with Backdrop's own decoder) and
/// masks from MediaPipe's selfie segmenter on it.
enum Fixtures {
    static var root: URL {
        guard let root = Checkout.root() else { fatalError("tests must run inside the Backdrop checkout") }
        return root
    }

    /// The 512x512 RGB astronaut photo.
    static func astronaut() throws -> PixelImage {
        try ImageFile.read(root.appendingPathComponent(".cache/astronaut.png").path)
    }

    static func segmenter(mode: RunningMode = .image) throws -> ImageSegmenter {
        try ImageSegmenter(options: .init(modelPath: ModelDirectory().segmenterPath, runningMode: mode))
    }

    /// The person confidence mask of `image` (IMAGE mode), at the image's size.
    static func personMask(_ image: PixelImage, segmenter: ImageSegmenter? = nil) throws -> ConfidenceMask {
        let segmenter = try segmenter ?? Self.segmenter()
        return try segmenter.segment(image).confidenceMasks[0]
    }

    /// Area-average downscale by an integer factor (so the test's inputs do not depend on the
    /// resampling code under test).
    static func downscale(_ image: PixelImage, by factor: Int) -> PixelImage {
        let width = image.width / factor, height = image.height / factor, channels = image.format.bytesPerPixel
        var out = PixelImage(width: width, height: height, format: image.format)
        for y in 0..<height {
            for x in 0..<width {
                for c in 0..<channels {
                    var sum = 0
                    for dy in 0..<factor {
                        for dx in 0..<factor {
                            sum += Int(image.pixels[((y * factor + dy) * image.width + x * factor + dx) * channels + c])
                        }
                    }
                    out.pixels[(y * width + x) * channels + c] = UInt8((sum + factor * factor / 2) / (factor * factor))
                }
            }
        }
        return out
    }

    /// `image` with uniform noise in -amplitude...amplitude added to every byte, from `generator`.
    static func noisy(_ image: PixelImage, amplitude: Int, generator: inout SeededGenerator) -> PixelImage {
        var out = image
        for index in out.pixels.indices {
            let noise = Int(generator.next() % UInt64(2 * amplitude + 1)) - amplitude
            out.pixels[index] = UInt8(clamping: Int(out.pixels[index]) + noise)
        }
        return out
    }

    /// `image` moved right by `dx` pixels, the uncovered columns repeating the first column.
    static func shifted(_ image: PixelImage, dx: Int) -> PixelImage {
        var out = image
        let channels = image.format.bytesPerPixel
        for y in 0..<image.height {
            for x in 0..<image.width {
                let sx = max(0, x - dx)
                for c in 0..<channels {
                    out.pixels[(y * image.width + x) * channels + c] = image.pixels[(y * image.width + sx) * channels + c]
                }
            }
        }
        return out
    }

    /// Intersection over union of the two masks thresholded at 0.5.
    static func iou(_ a: ConfidenceMask, _ b: ConfidenceMask) -> Double {
        var intersection = 0, union = 0
        for i in a.values.indices {
            let inA = a.values[i] > 0.5, inB = b.values[i] > 0.5
            if inA && inB { intersection += 1 }
            if inA || inB { union += 1 }
        }
        return Double(intersection) / Double(max(1, union))
    }

    /// Mean |a - b| over the pixels where `reference` is neither clearly person nor clearly
    /// background (0.05 < reference < 0.95): the error along the edges.
    static func edgeError(_ mask: ConfidenceMask, reference: ConfidenceMask) -> (error: Double, pixels: Int) {
        var sum = 0.0, count = 0
        for i in reference.values.indices where reference.values[i] > 0.05 && reference.values[i] < 0.95 {
            sum += Double(abs(mask.values[i] - reference.values[i]))
            count += 1
        }
        return (sum / Double(max(1, count)), count)
    }

    static func address(_ image: PixelImage) -> UnsafeRawPointer? {
        image.pixels.withUnsafeBufferPointer { $0.baseAddress.map(UnsafeRawPointer.init) }
    }

    static func address(_ mask: ConfidenceMask) -> UnsafeRawPointer? {
        mask.values.withUnsafeBufferPointer { $0.baseAddress.map(UnsafeRawPointer.init) }
    }
}

/// SplitMix64: a small deterministic generator so noisy clips are the same on every run.
struct SeededGenerator: RandomNumberGenerator {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

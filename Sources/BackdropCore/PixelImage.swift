/// The 8-bit pixel layouts Backdrop passes between layers.
public enum PixelFormat: Sendable, Equatable, CaseIterable {
    case rgb
    case rgba
    case gray

    public var bytesPerPixel: Int {
        switch self {
        case .rgb: 3
        case .rgba: 4
        case .gray: 1
        }
    }
}

/// An 8-bit image with tightly packed rows, owned by one Swift value.
///
/// `pixels` is a plain array, so a caller that keeps one `PixelImage` and overwrites its pixels
/// each frame allocates nothing after the first frame.
public struct PixelImage: Sendable, Equatable {
    public var width: Int
    public var height: Int
    public var format: PixelFormat
    public var pixels: [UInt8]

    public init(width: Int, height: Int, format: PixelFormat, pixels: [UInt8]) {
        self.width = width
        self.height = height
        self.format = format
        self.pixels = pixels
    }

    /// A black image of the given size.
    public init(width: Int, height: Int, format: PixelFormat) {
        self.init(width: width, height: height, format: format,
                  pixels: [UInt8](repeating: 0, count: max(0, width * height * format.bytesPerPixel)))
    }

    public var bytesPerRow: Int { width * format.bytesPerPixel }
    public var expectedByteCount: Int { bytesPerRow * height }

    /// Why this image cannot be handed to a model, or nil when it can.
    public var layoutProblem: String? {
        if width <= 0 || height <= 0 {
            return "image is \(width)x\(height); width and height must both be at least 1"
        }
        if pixels.count != expectedByteCount {
            return "image claims \(width)x\(height) \(format) (\(expectedByteCount) bytes) but holds \(pixels.count) bytes"
        }
        return nil
    }
}

extension PixelImage {
    /// Makes this image a copy of `other`, writing into its own storage when the byte count is
    /// unchanged (no allocation), so a reused buffer stays the one it was.
    public mutating func overwrite(with other: PixelImage) {
        width = other.width
        height = other.height
        format = other.format
        pixels.overwrite(with: other.pixels)
    }
}

extension Array where Element: BitwiseCopyable {
    /// Makes this array a copy of `other`, writing into its own storage when the count is unchanged
    /// (no allocation): how reused frame and mask buffers take new contents.
    public mutating func overwrite(with other: [Element]) {
        guard count == other.count else {
            self = Array(other)
            return
        }
        withUnsafeMutableBufferPointer { destination in
            other.withUnsafeBufferPointer { source in
                guard let to = destination.baseAddress, let from = source.baseAddress else { return }
                to.update(from: from, count: source.count)
            }
        }
    }
}

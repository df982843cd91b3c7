/// A single-channel image of `Element` values, row-major with no padding.
///
/// Confidence masks are `Mask<Float>` (0...1, the probability of the label); category masks are
/// `Mask<UInt8>` (the label index of each pixel).
public struct Mask<Element: Sendable & Numeric>: Sendable, Equatable where Element: Equatable {
    public var width: Int
    public var height: Int
    public var values: [Element]

    public init(width: Int, height: Int, values: [Element]) {
        precondition(values.count == width * height, "mask of \(width)x\(height) needs \(width * height) values")
        self.width = width
        self.height = height
        self.values = values
    }

    public init(width: Int = 0, height: Int = 0) {
        self.init(width: width, height: height, values: [Element](repeating: .zero, count: width * height))
    }

    /// Makes the mask `width` x `height`, reusing its storage when the size is unchanged.
    public mutating func reshape(width: Int, height: Int) {
        if self.width == width, self.height == height, values.count == width * height { return }
        self.width = width
        self.height = height
        values = [Element](repeating: .zero, count: width * height)
    }

    public subscript(x: Int, y: Int) -> Element {
        get { values[y * width + x] }
        set { values[y * width + x] = newValue }
    }
}

extension Mask where Element: BitwiseCopyable {
    /// Makes this mask a copy of `other`, writing into its own storage when the size is unchanged.
    public mutating func overwrite(with other: Mask) {
        width = other.width
        height = other.height
        values.overwrite(with: other.values)
    }
}

public typealias ConfidenceMask = Mask<Float>
public typealias CategoryMask = Mask<UInt8>

extension Mask where Element == Float {
    /// The mask as an 8-bit grayscale image (0 -> 0, 1 -> 255).
    public func grayImage() -> PixelImage {
        PixelImage(width: width, height: height, format: .gray,
                   pixels: values.map { UInt8(clamping: Int(($0 * 255).rounded())) })
    }
}

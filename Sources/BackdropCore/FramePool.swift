import Synchronization

/// A fixed number of preallocated pixel buffers of one size and format.
///
/// `take()` hands out a buffer (nil when all are in use: the caller drops or waits, it never
/// allocates), `recycle(_:)` returns it. Buffers move in and out as uniquely referenced arrays,
/// so neither call allocates.
public final class FramePool: Sendable {
    public let width: Int
    public let height: Int
    public let format: PixelFormat
    public let capacity: Int
    private let free: Mutex<[PixelImage]>

    public init(width: Int, height: Int, format: PixelFormat, capacity: Int) {
        precondition(capacity > 0, "a frame pool needs at least one buffer")
        self.width = width
        self.height = height
        self.format = format
        self.capacity = capacity
        var buffers: [PixelImage] = []
        buffers.reserveCapacity(capacity)
        for _ in 0..<capacity { buffers.append(PixelImage(width: width, height: height, format: format)) }
        free = Mutex(buffers)
    }

    /// A free buffer, or nil when all `capacity` buffers are in use.
    public func take() -> PixelImage? {
        free.withLock { $0.popLast() }
    }

    /// Returns a buffer taken from this pool. Buffers of another size or format are refused
    /// (they were not this pool's), and so are buffers beyond the capacity.
    public func recycle(_ image: PixelImage) {
        guard image.width == width, image.height == height, image.format == format else { return }
        free.withLock { buffers in
            if buffers.count < capacity { buffers.append(image) }
        }
    }

    /// Buffers currently handed out.
    public var inUse: Int { capacity - free.withLock { $0.count } }
}

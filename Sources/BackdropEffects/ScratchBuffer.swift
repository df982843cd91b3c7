/// Memory an effect owns for its working planes, allocated when a frame size first needs it and
/// reused for every later frame.
///
/// A plain array would do, but several planes are read and written in one loop, and nesting
/// `withUnsafeMutableBufferPointer` calls for each is noisy; a pointer the owner keeps is simpler
/// and cannot be copied-on-write by accident. The buffer only grows: a smaller frame reuses it.
final class ScratchBuffer<Element: Numeric & BitwiseCopyable> {
    private(set) var pointer: UnsafeMutablePointer<Element>
    private(set) var capacity: Int

    init(count: Int = 0) {
        capacity = max(1, count)
        pointer = .allocate(capacity: capacity)
        pointer.initialize(repeating: .zero, count: capacity)
    }

    deinit { pointer.deallocate() }

    /// Makes room for `count` elements, reallocating only when the buffer is too small.
    func reserve(_ count: Int) {
        guard count > capacity else { return }
        pointer.deallocate()
        capacity = count
        pointer = .allocate(capacity: capacity)
        pointer.initialize(repeating: .zero, count: capacity)
    }

    /// The buffer's address, for callers that check storage is reused.
    var address: UnsafeRawPointer { UnsafeRawPointer(pointer) }
}

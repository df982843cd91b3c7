import CMediaPipe
import Synchronization

/// Routes MediaPipe's live-stream callbacks to the task instance that asked for them.
///
/// MediaPipe's C callback has no user-data pointer, so each live-stream task instance takes one of
/// `BD_CALLBACK_SLOTS` distinct C functions (see CMediaPipe.h); the slot number comes back with
/// every result and selects the handler registered for it.
final class SlotTable<CResult>: Sendable {
    typealias Handler = @Sendable (_ status: Int32, _ result: UnsafePointer<CResult>?, _ timestampMs: Int64) -> Void
    private let handlers = Mutex<[Handler?]>(Array(repeating: nil, count: Int(BD_CALLBACK_SLOTS)))

    var capacity: Int { Int(BD_CALLBACK_SLOTS) }

    /// Registers `handler` in a free slot and returns the slot, or nil when all are taken.
    func claim(_ handler: @escaping Handler) -> Int? {
        handlers.withLock { table in
            guard let slot = table.firstIndex(where: { $0 == nil }) else { return nil }
            table[slot] = handler
            return slot
        }
    }

    func release(_ slot: Int) {
        handlers.withLock { $0[slot] = nil }
    }

    func deliver(slot: Int, status: Int32, result: UnsafePointer<CResult>?, timestampMs: Int64) {
        guard slot >= 0, slot < capacity, let handler = handlers.withLock({ $0[slot] }) else { return }
        handler(status, result, timestampMs)
    }
}

enum LiveStreamSlots {
    static let segmenters = SlotTable<MpImageSegmenterResult>()
    static let faceLandmarkers = SlotTable<MpFaceLandmarkerResult>()

    static func installDispatchers() {
        bd_set_segmenter_dispatch { slot, status, result, timestamp in
            LiveStreamSlots.segmenters.deliver(slot: Int(slot), status: status, result: result, timestampMs: timestamp)
        }
        bd_set_face_landmarker_dispatch { slot, status, result, timestamp in
            LiveStreamSlots.faceLandmarkers.deliver(slot: Int(slot), status: status, result: result, timestampMs: timestamp)
        }
    }
}

/// A live-stream result: the value for the frame sent at `timestampMs`, or MediaPipe's error for it.
public struct LiveStreamResult<Value: Sendable>: Sendable {
    public var timestampMs: Int64
    public var result: Result<Value, MediaPipeError>
}

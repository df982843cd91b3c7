import BackdropCore
import Foundation

/// Runs a real camera only while someone watches: while `isWatched()` is false the camera source is
/// closed (its device released, its light off) and the last frame is repeated as a still at
/// `idleFrameRate`; when watching resumes the camera is opened again.
///
/// `isWatched` is typically `VirtualCameraReaders.hasReaders` of the virtual camera the frames go
/// to. Timestamps keep increasing across pauses.
public final class ReaderGatedSource: VideoSource {
    public let name: String
    public private(set) var width: Int
    public private(set) var height: Int
    public private(set) var frameRate: Double?
    public var audioTrack: (any AudioTrackDescription)? { nil }
    public var audioHandler: ((any MediaPacket) -> Void)?
    public var statistics: SourceStatistics {
        var combined = earlierStatistics
        if let camera { combined.add(camera.statistics) }
        return combined
    }
    /// Times the camera was released because nobody watched.
    public private(set) var pauses = 0

    private let open: () throws(MediaError) -> VideoSource
    private let isWatched: () -> Bool
    private let idleFrameInterval: Double
    private var camera: VideoSource?
    private var earlierStatistics = SourceStatistics()
    private var still: VideoFrame?
    /// Offset added to the camera's own timestamps so they continue after a pause.
    private var timestampOffset: Int64 = 0
    private var lastTimestamp: Int64 = -1
    private var isClosed = false

    public init(name: String, idleFrameRate: Double = 5, isWatched: @escaping () -> Bool,
                open: @escaping () throws(MediaError) -> VideoSource) throws(MediaError) {
        self.name = name
        self.isWatched = isWatched
        self.open = open
        self.idleFrameInterval = 1 / max(0.1, idleFrameRate)
        let camera = try open()
        self.camera = camera
        width = camera.width
        height = camera.height
        frameRate = camera.frameRate
    }

    public func read(into frame: inout VideoFrame) throws(MediaError) -> Bool {
        if isClosed { return false }
        if !isWatched() {
            release()
            guard var still else { return try readCamera(into: &frame) }  // nothing to repeat yet
            Thread.sleep(forTimeInterval: idleFrameInterval)
            lastTimestamp += Int64(idleFrameInterval * 1_000_000)
            still.timestampMicroseconds = lastTimestamp
            still.index += 1
            self.still = still
            frame.image.overwrite(with: still.image)
            frame.timestampMicroseconds = still.timestampMicroseconds
            frame.rotationDegrees = still.rotationDegrees
            frame.index = still.index
            frame.captureUptimeNanoseconds = 0  // a repeat: captured now, as far as latency goes
            return true
        }
        return try readCamera(into: &frame)
    }

    private func readCamera(into frame: inout VideoFrame) throws(MediaError) -> Bool {
        if camera == nil {
            let reopened = try open()
            camera = reopened
            // The camera's clock restarts: continue one frame interval after the last frame sent.
            timestampOffset = lastTimestamp + Int64(1_000_000 / (reopened.frameRate ?? 30))
        }
        guard let camera, try camera.read(into: &frame) else { return false }
        frame.timestampMicroseconds += timestampOffset
        if frame.timestampMicroseconds <= lastTimestamp { frame.timestampMicroseconds = lastTimestamp + 1 }
        lastTimestamp = frame.timestampMicroseconds
        width = frame.image.width
        height = frame.image.height
        var kept = still ?? VideoFrame(image: PixelImage(width: 0, height: 0, format: frame.image.format))
        still = nil  // keep `kept` uniquely referenced so its buffer is reused
        kept.image.overwrite(with: frame.image)
        kept.timestampMicroseconds = frame.timestampMicroseconds
        kept.rotationDegrees = frame.rotationDegrees
        kept.index = frame.index
        still = kept
        return true
    }

    private func release() {
        guard let camera else { return }
        earlierStatistics.add(camera.statistics)
        camera.close()
        self.camera = nil
        pauses += 1
    }

    public func close() {
        if let camera { earlierStatistics.add(camera.statistics); camera.close() }
        camera = nil
        isClosed = true
    }
}

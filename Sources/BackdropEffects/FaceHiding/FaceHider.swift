import BackdropCore
import BackdropMediaPipe
import CPixelKernels

/// Hides faces in frames, in place: tracks the boxes found frame to frame (``FaceTracker``) and
/// blurs or pixelates every tracked box but the main face's (when it is kept).
///
/// One per stream of frames (it remembers the faces); allocates nothing per frame once it has
/// seen a frame of the size (the boxes' and the scratch line's storage is reused).
public final class FaceHider {
    public private(set) var tracker = FaceTracker()
    /// This frame's boxes from the landmarker, before tracking.
    private var found: [FaceBox] = []
    private let line = ScratchBuffer<UInt8>(), small = ScratchBuffer<UInt8>()
    private let columns = ScratchBuffer<Int32>(), rows = ScratchBuffer<UInt16>()

    public init() { found.reserveCapacity(FaceHiding.faceLimit) }

    /// Forgets every face (a new scene, or hiding turned back on).
    public func reset() { tracker.reset() }

    /// Hides the faces the landmarker found in this frame, and those held from earlier frames.
    public func hide(in image: inout PixelImage, faces: FaceLandmarkerResult, settings: FaceHiding) {
        found.removeAll(keepingCapacity: true)
        for index in 0..<min(faces.faces.count, FaceHiding.faceLimit) {
            if let box = FaceBox(landmarksOf: faces.faces[index], frameWidth: image.width, frameHeight: image.height) { found.append(box) }
        }
        hide(in: &image, boxes: found, settings: settings)
    }

    /// Hides the faces at `boxes` (frame pixels: from the detector, or a test), and those held from earlier frames.
    public func hide(in image: inout PixelImage, boxes: [FaceBox], settings: FaceHiding) {
        tracker.update(with: boxes, holdFrames: settings.holdFrames, width: image.width, height: image.height)
        let channels = image.format.bytesPerPixel
        line.reserve(max(image.width, image.height) * channels)
        small.reserve((image.width / 2 + 1) * (image.height / 2 + 1) * channels)
        columns.reserve(image.width)
        rows.reserve(2 * image.width * channels)  // a blur's small copy: factor 2 at least
        let mainID = settings.keepMain ? tracker.mainID : nil
        let width = image.width, height = image.height, stride = image.bytesPerRow
        let scratch = line.pointer, smallCopy = small.pointer, columnTable = columns.pointer, rowPair = rows.pointer
        let tracks = tracker.tracks
        image.pixels.withUnsafeMutableBufferPointer { pixels in
            guard let base = pixels.baseAddress else { return }
            for index in tracks.indices where tracks[index].id != mainID {
                let track = tracks[index]
                let rect = track.box.pixelRect(margin: settings.margin, width: width, height: height)
                let faceWidth = max(1, Int(track.box.width.rounded()))
                switch settings.style {
                case .blur:
                    bd_blur_rect(base, Int32(stride), Int32(channels), Int32(rect.left), Int32(rect.top), Int32(rect.right),
                                 Int32(rect.bottom), Int32(Self.blurFactor(faceWidth: faceWidth)), Int32(Self.blurSmallRadius),
                                 smallCopy, scratch, columnTable, rowPair)
                case .pixelate:
                    bd_pixelate_rect(base, Int32(stride), Int32(channels), Int32(rect.left), Int32(rect.top), Int32(rect.right),
                                     Int32(rect.bottom), Int32(Self.pixelCell(faceWidth: faceWidth)))
                }
            }
        }
    }

    /// The blur runs on the rectangle averaged down by this (about 16 blocks across the face) ...
    static func blurFactor(faceWidth: Int) -> Int { max(2, faceWidth / 16) }
    /// ... with three box passes of this radius there: a reach of 3 x 2 x 1/16 of the face's width
    /// each way, so eyes, nose and mouth merge into one smooth patch.
    static let blurSmallRadius = 2
    /// About eight blocks across the face: too few for features to survive.
    static func pixelCell(faceWidth: Int) -> Int { max(4, faceWidth / 8) }
}

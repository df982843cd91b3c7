/// The mediapipe wheel that carries the MediaPipe Tasks C runtime for this platform, pinned by
/// SHA-256: `backdrop install` downloads it and checks it, then checks the library it takes out.
///
/// The wheels are `py3-none`, one per platform whatever the Python version. Hashes from PyPI's
/// mediapipe 1.2.2 files (checked by downloading each and hashing the wheel and its library).
public struct RuntimeWheel: Sendable, Equatable {
    public static let mediapipeVersion = "1.2.2"
    /// What `pip download` is asked for.
    public static let requirement = "mediapipe==\(mediapipeVersion)"

    /// The wheel's file name, as pip saves it.
    public let file: String
    public let sha256: String
    /// The library's path inside the wheel.
    public let member: String
    /// The library's own SHA-256, for installs from local files and for `backdrop models`.
    public let librarySHA256: String

    /// The pin for the platform this was built for; nil where mediapipe publishes no wheel with the
    /// C runtime (macOS on Intel, Windows).
    public static var forThisPlatform: RuntimeWheel? {
        #if os(Linux) && arch(x86_64)
        return RuntimeWheel(
            file: "mediapipe-1.2.2-py3-none-manylinux_2_28_x86_64.whl",
            sha256: "c0b641bf1515dd186036da711df597a514466c0ba97a138f35b698ecc0411a61",
            member: "mediapipe/tasks/c/libmediapipe.so",
            librarySHA256: "022f20f556e1148d6be05672475a483ba6358347fee8236e70ce8ef6a48aff72")
        #elseif os(Linux) && arch(arm64)
        return RuntimeWheel(
            file: "mediapipe-1.2.2-py3-none-manylinux_2_28_aarch64.whl",
            sha256: "9837dc18ac903a34b4e46aa56eadbdb2648a8b66ab9d73202118e77e893edcb8",
            member: "mediapipe/tasks/c/libmediapipe.so",
            librarySHA256: "7bce0f87cc523035450a0d3a426c60149feae2c9f7d53583ccf74ca073778681")
        #elseif os(macOS) && arch(arm64)
        return RuntimeWheel(
            file: "mediapipe-1.2.2-py3-none-macosx_11_0_arm64.whl",
            sha256: "d3bb50923652182344ad31cfd2a09697e52952bd4bca2384ecabc90e21db9a5f",
            member: "mediapipe/tasks/c/libmediapipe.dylib",
            librarySHA256: "6cb3aa2e19bce289939b617fb96c306db0449f757569ea22df7a4a9c14ac7c60")
        #else
        return nil
        #endif
    }
}

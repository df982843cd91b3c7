import BackdropCore
import Foundation

/// Where the model files are: a folder named explicitly, else `$BACKDROP_MODELS_DIR`, else the
/// checkout's `models/` (filled and verified by scripts/setup.sh).
public struct ModelDirectory: Sendable {
    public static let segmenterFile = "selfie_segmenter.tflite"
    public static let faceLandmarkerFile = "face_landmarker.task"

    public let url: URL

    /// The model files Backdrop uses and their SHA-256 (as scripts/setup.sh verifies them).
    public static let expected: [(file: String, sha256: String)] = [
        (segmenterFile, "191ac9529ae506ee0beefa6b2c945a172dab9d07d1e802a290a4e4038226658b"),
        (faceLandmarkerFile, "64184e229b263107bc2b804c6625db1341ff2bb731874b0bcc2fe6544e0bc9ff"),
    ]

    public init(explicit: String? = nil) {
        if let explicit {
            url = URL(fileURLWithPath: explicit)
        } else if let fromEnvironment = ProcessInfo.processInfo.environment["BACKDROP_MODELS_DIR"], !fromEnvironment.isEmpty {
            url = URL(fileURLWithPath: fromEnvironment)
        } else {
            url = (Checkout.root() ?? URL(fileURLWithPath: FileManager.default.currentDirectoryPath)).appendingPathComponent("models")
        }
    }

    public var segmenterPath: String { url.appendingPathComponent(Self.segmenterFile).path }
    public var faceLandmarkerPath: String { url.appendingPathComponent(Self.faceLandmarkerFile).path }
}

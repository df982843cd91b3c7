import ArgumentParser
import BackdropCore
import BackdropEffects
import BackdropMedia
import BackdropMediaPipe
import Foundation

struct Segment: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Segment the person in one image; optionally find face landmarks.",
        discussion: """
        Writes, next to each other in the output folder (named after the input):
          NAME.mask.png        the person mask, 8-bit gray (255 = person)
          NAME.category.png    with --category-mask: MediaPipe's category mask (0 = person, 255 = background)
          NAME.landmarks.json  with faces on: 478 normalized landmarks per face
          NAME.overlay.png     the image with the mask tinted green and the landmarks in red
        Existing files are replaced only once the new one is completely written.
        """)

    @Argument(help: "A PNG or JPEG image.")
    var image: String

    @Option(name: .shortAndLong, help: "Folder for the outputs (created if missing).")
    var outputDir: String = "out"

    @OptionGroup var modelOptions: ModelOptions

    @Flag(inversion: .prefixedNo, help: "Find face landmarks too.")
    var faces = true

    @Option(help: "The most faces to look for.")
    var maxFaces = 1

    @Flag(help: "Also ask MediaPipe for the category mask (costs ~4x the confidence mask at 720p).")
    var categoryMask = false

    func validate() throws {
        try OptionRules.require(maxFaces, in: 1...8, "--max-faces", "faces to look for")
    }

    func run() throws {
        let modelDirectory = modelOptions.directory
        let input = try ImageFile.read(image, as: .rgb)
        let name = URL(fileURLWithPath: image).deletingPathExtension().lastPathComponent
        let outputs = URL(fileURLWithPath: outputDir)
        do {
            try FileManager.default.createDirectory(at: outputs, withIntermediateDirectories: true)
        } catch {
            throw ValidationError("cannot create the output folder \(outputDir): \(error.localizedDescription)")
        }
        func output(_ suffix: String) -> String { outputs.appendingPathComponent("\(name).\(suffix)").path }

        let started = ContinuousClock.now
        let segmenter = try ImageSegmenter(options: .init(modelPath: modelDirectory.segmenterPath, outputCategoryMask: categoryMask))
        let segmentation = try segmenter.segment(input)
        guard let person = segmentation.confidenceMasks.first else {
            throw ValidationError("the segmentation model returned no confidence mask")
        }
        try ImageFile.write(person.grayImage(), to: output("mask.png"))
        var written = [output("mask.png")]
        if let category = segmentation.categoryMask {
            try ImageFile.write(PixelImage(width: category.width, height: category.height, format: .gray, pixels: category.values),
                                to: output("category.png"))
            written.append(output("category.png"))
        }

        var overlay = input
        MaskOverlay.apply(person, to: &overlay)
        var faceCount = 0
        if faces {
            let landmarker = try FaceLandmarker(options: .init(modelPath: modelDirectory.faceLandmarkerPath, numFaces: maxFaces))
            let result = try landmarker.detect(input)
            faceCount = result.faces.count
            LandmarkOverlay.draw(result, on: &overlay)
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys]
            let document = try encoder.encode(LandmarksDocument(image: image, width: input.width, height: input.height,
                                                                faces: result.faces))
            try AtomicFile.replace(output("landmarks.json"), with: [UInt8](document))
            written.append(output("landmarks.json"))
        }
        try ImageFile.write(overlay, to: output("overlay.png"))
        written.append(output("overlay.png"))

        let personShare = Double(person.values.filter { $0 > 0.5 }.count) / Double(max(1, person.values.count))
        let elapsed = ContinuousClock.now - started
        print("\(image): \(input.width)x\(input.height), person \(String(format: "%.1f", personShare * 100))% of pixels"
              + (faces ? ", \(faceCount) face(s)" : "") + ", \(elapsed.formatted(.units(allowed: [.milliseconds])))")
        for path in written { print("  wrote \(path)") }
    }
}

/// The landmarks file: what a reader needs to map normalized coordinates back to pixels.
struct LandmarksDocument: Encodable {
    var image: String
    var width: Int
    var height: Int
    var faces: [DetectedFace]
}

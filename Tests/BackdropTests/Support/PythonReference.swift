import BackdropCore
import Foundation

/// Output of tools/mediapipe_reference.py: what MediaPipe's own Python API computed for each image.
struct ReferenceResult {
    var pixels: PixelImage
    var labels: [String]
    var confidenceMasks: [ConfidenceMask]
    var categoryMask: CategoryMask?
    /// Per face, per landmark: x, y, z (normalized).
    var faces: [[[Float]]]
    var timestampMs: Int64
}

enum PythonReference {
    enum Mode: String { case image, video }

    /// Runs the MediaPipe Python API from the project's venv on `images` and loads what it wrote.
    static func run(_ images: [String], mode: Mode = .image, categoryMask: Bool = false, maxFaces: Int = 1,
                    rotationDegrees: Int = 0, scratch: URL) throws -> [ReferenceResult] {
        let out = scratch.appendingPathComponent("reference-\(UUID().uuidString)")
        var arguments = [TestEnvironment.root.appendingPathComponent("tools/mediapipe_reference.py").path]
        arguments += images + ["--models", TestEnvironment.modelsDirectory.path, "--out", out.path,
                               "--mode", mode.rawValue, "--faces", "\(maxFaces)", "--rotation", "\(rotationDegrees)"]
        if categoryMask { arguments.append("--category-mask") }
        let result = try runProcess(TestEnvironment.python, arguments)
        guard result.status == 0 else { throw TestFailure("reference run failed (\(result.status)): \(result.stderr.suffix(2000))") }

        let json = try JSONSerialization.jsonObject(with: Data(contentsOf: out.appendingPathComponent("results.json")))
        guard let entries = json as? [[String: Any]] else { throw TestFailure("results.json is not a list") }
        return try entries.map { entry in
            let width = entry["width"] as! Int, height = entry["height"] as! Int
            let maskWidth = entry["mask_width"] as! Int, maskHeight = entry["mask_height"] as! Int
            func file(_ name: String) throws -> Data { try Data(contentsOf: out.appendingPathComponent(name)) }
            let pixels = PixelImage(width: width, height: height, format: .rgb, pixels: [UInt8](try file(entry["pixels"] as! String)))
            let masks = try (entry["confidence_masks"] as! [String]).map { name -> ConfidenceMask in
                let data = try file(name)
                let values = data.withUnsafeBytes { Array($0.bindMemory(to: Float.self)) }
                return ConfidenceMask(width: maskWidth, height: maskHeight, values: values)
            }
            let category = try (entry["category_mask"] as? String).map {
                CategoryMask(width: maskWidth, height: maskHeight, values: [UInt8](try file($0)))
            }
            let faces = (entry["faces"] as! [[[Double]]]).map { $0.map { $0.map(Float.init) } }
            return ReferenceResult(pixels: pixels, labels: entry["labels"] as! [String], confidenceMasks: masks,
                                   categoryMask: category, faces: faces, timestampMs: Int64(entry["timestamp_ms"] as! Int))
        }
    }
}

/// Intersection over union of two masks thresholded at 0.5.
func intersectionOverUnion(_ a: ConfidenceMask, _ b: ConfidenceMask) -> Double {
    precondition(a.values.count == b.values.count)
    var intersection = 0, union = 0
    for (x, y) in zip(a.values, b.values) {
        let p = x > 0.5, q = y > 0.5
        if p && q { intersection += 1 }
        if p || q { union += 1 }
    }
    return union == 0 ? 1 : Double(intersection) / Double(union)
}

func fractionEqual(_ a: CategoryMask, _ b: CategoryMask) -> Double {
    precondition(a.values.count == b.values.count)
    return Double(zip(a.values, b.values).filter { $0 == $1 }.count) / Double(max(1, a.values.count))
}

import Foundation

/// The hidden temporary file Backdrop writes a video output into until it is finished
/// (`.STEM.<hex>.partial.EXT` beside `file`), if one exists now.
public func partialFile(for file: String) -> String? {
    let folder = (file as NSString).deletingLastPathComponent
    let stem = ((file as NSString).lastPathComponent as NSString).deletingPathExtension
    let names = (try? FileManager.default.contentsOfDirectory(atPath: folder.isEmpty ? "." : folder)) ?? []
    return names.first { $0.hasPrefix(".\(stem).") && $0.contains(".partial") }.map { (folder as NSString).appendingPathComponent($0) }
}

/// Every hidden temporary (`.partial`) file in `folder`.
public func partialFiles(in folder: String) -> [String] {
    ((try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? []).filter { $0.contains(".partial") }.sorted()
}

/// Frames ffprobe can decode in `file` now, or 0 when it cannot read it (yet): for polling a file being written.
public func playableFrames(_ file: String) -> Int {
    guard let result = try? runTool("ffprobe", ["-v", "quiet", "-count_frames", "-select_streams", "v:0", "-show_entries",
                                                "stream=nb_read_frames", "-of", "csv=p=0", file]), result.status == 0 else { return 0 }
    return Int(result.stdout.trimmingCharacters(in: .whitespacesAndNewlines)) ?? 0
}

import ArgumentParser

/// The checks `validate()` applies to options, each failing with a usage error (exit 64) that
/// names the option, what it takes and what it got.
enum OptionRules {
    static func require<Value: Comparable>(_ value: Value, in range: ClosedRange<Value>, _ option: String,
                                           _ meaning: String) throws {
        guard range.contains(value) else {
            throw ValidationError("\(option) takes \(range.lowerBound) to \(range.upperBound) (\(meaning)); got \(value)")
        }
    }

    static func require(_ value: Double, in range: ClosedRange<Double>, _ option: String, _ meaning: String) throws {
        guard value.isFinite, range.contains(value) else {
            throw ValidationError("\(option) takes \(short(range.lowerBound)) to \(short(range.upperBound)) (\(meaning)); got \(value)")
        }
    }

    /// Each side of `size` within `sides`.
    static func require(_ size: PixelSize, _ option: String, sides: ClosedRange<Int>) throws {
        guard sides.contains(size.width), sides.contains(size.height) else {
            throw ValidationError("\(option) takes WIDTHxHEIGHT with each side \(sides.lowerBound) to \(sides.upperBound) pixels; got \(size)")
        }
    }

    /// A video file's extension must name a container Backdrop writes.
    static func videoFile(_ path: String, _ option: String, lossless: Bool) throws {
        let fileExtension = path.split(separator: "/").last.map { name in
            name.contains(".") ? String(name.split(separator: ".").last!).lowercased() : ""
        } ?? ""
        guard ["mp4", "m4v", "mov", "mkv"].contains(fileExtension) else {
            throw ValidationError("\(option) \(path): "
                + (fileExtension.isEmpty ? "the name has no extension" : "the extension .\(fileExtension) is no container Backdrop writes")
                + "; end it in .mp4 or .mkv (or use udp://, /dev/videoN, - or a snap-%04d.png pattern)")
        }
        if lossless && fileExtension != "mkv" {
            throw ValidationError("\(option) \(path): --lossless writes FFV1, which needs Matroska; end the name in .mkv")
        }
    }

    private static func short(_ value: Double) -> String {
        value == value.rounded() ? String(Int(value)) : String(value)
    }
}

import BackdropCore
import BackdropMedia
import FuzzSupport

/// (b) A still image, as `backdrop segment IMAGE` reads it: the bytes go to a temporary file
/// (PNG or JPEG by their magic bytes, else no extension) and `ImageFile.read` decodes it as RGB.
/// Any thrown `MediaError` is a pass; a crash, hang or leak is a finding.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzImageFile(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let path = FuzzInput.write(data, size, name: FuzzInput.imageName(for: data, size))
    do {
        let image = try ImageFile.read(path, as: .rgb)
        // What segment does next relies on this: a tightly packed, non-empty RGB picture.
        precondition(image.width > 0 && image.height > 0 && image.pixels.count == image.width * image.height * 3,
                     "ImageFile.read returned a \(image.width)x\(image.height) image with \(image.pixels.count) bytes")
    } catch {
        _ = error.description
    }
    return 0
}

@main
enum Main {
    static func main() { FuzzMain.run(fuzzImageFile) }
}

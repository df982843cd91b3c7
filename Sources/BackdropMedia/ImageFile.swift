import BackdropCore

/// Reads and writes still images (PNG, JPEG) as `PixelImage`s, using FFmpeg.
public enum ImageFile {
    /// Decodes a PNG or JPEG (anything FFmpeg's image readers recognise; for a video, its first frame)
    /// into tightly packed 8-bit pixels of `format`, converted with libswscale when the file holds
    /// another layout. A file already in `format` (say an RGB PNG read as `.rgb`) is copied exactly.
    public static func read(_ path: String, as format: PixelFormat = .rgb) throws(MediaError) -> PixelImage {
        try ImageDecoder.decode(path, as: format)
    }

    /// Encodes `image` by the file extension: `.png` (lossless, keeping rgb, rgba or gray as the image is)
    /// or `.jpg`/`.jpeg` at `jpegQuality` (1...100; alpha is dropped). The file is written beside the
    /// target under a temporary name and renamed into place only on success, so a failure never
    /// replaces a good file.
    public static func write(_ image: PixelImage, to path: String, jpegQuality: Int = 90) throws(MediaError) {
        let type = try ImageFileType(path: path)
        if let problem = image.layoutProblem {
            throw .invalidImage(path: path, reason: problem)
        }
        if image.width > Int(Int32.max) || image.height > Int(Int32.max) {
            throw .unsupported(path: path, reason: "the image is \(image.width)x\(image.height); FFmpeg takes at most \(Int32.max) a side")
        }
        if type == .jpeg && !(1...100).contains(jpegQuality) {
            throw .unsupported(path: path, reason: "jpegQuality \(jpegQuality) is outside 1...100")
        }
        let bytes = try ImageEncoder.encode(image, as: type, jpegQuality: jpegQuality, path: path)
        try AtomicFile.replace(path, with: bytes)
    }
}

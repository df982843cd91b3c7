import BackdropCore

/// The still-image file types `ImageFile.write` produces, chosen by the file extension.
enum ImageFileType: Equatable {
    case png
    case jpeg

    init(path: String) throws(MediaError) {
        let name = path.split(separator: "/", omittingEmptySubsequences: false).last ?? ""
        let dot = name.lastIndex(of: ".")
        let fileExtension = dot.map { name[name.index(after: $0)...].lowercased() } ?? ""
        switch fileExtension {
        case "png": self = .png
        case "jpg", "jpeg": self = .jpeg
        default:
            let found = fileExtension.isEmpty ? "no extension" : "the extension .\(fileExtension)"
            throw .unsupported(path: path, reason: "\(found) names no image type this writer knows; end the name in .png, .jpg or .jpeg")
        }
    }
}

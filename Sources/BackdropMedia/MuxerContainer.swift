/// The container a file sink writes. Both stay playable when the writer is killed mid-file.
public enum Container: Sendable, Equatable {
    /// Matroska (.mkv): clusters of at most a second; a truncated file plays up to its last cluster.
    case matroska
    /// Fragmented MP4 (.mp4, .mov): an empty moov then a fragment per keyframe (one a second), so a
    /// truncated file plays up to its last complete fragment. H.264 only.
    case fragmentedMP4

    /// The container named by the file extension (.mkv; .mp4, .m4v, .mov), or nil for any other.
    public init?(path: String) {
        switch Container.fileExtension(of: path) {
        case "mkv": self = .matroska
        case "mp4", "m4v", "mov": self = .fragmentedMP4
        default: return nil
        }
    }

    static func fileExtension(of path: String) -> String {
        let name = path.split(separator: "/", omittingEmptySubsequences: false).last ?? ""
        guard let dot = name.lastIndex(of: "."), dot != name.startIndex else { return "" }
        return name[name.index(after: dot)...].lowercased()
    }
}

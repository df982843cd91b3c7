import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Which file a path names, compared by device and inode, so two spellings of one file
/// (a symlink, a hard link, `./a/../a.mp4`) compare equal. A path that does not exist yet is
/// identified by its folder's device and inode plus its last component.
struct FileIdentity: Equatable {
    private enum Key: Equatable {
        case file(device: UInt64, inode: UInt64)
        case missing(folderDevice: UInt64, folderInode: UInt64, name: String)
        case unresolved(String)
    }
    private let key: Key

    init(_ path: String) {
        var info = stat()
        if stat(path, &info) == 0 {
            key = .file(device: UInt64(info.st_dev), inode: UInt64(info.st_ino))
            return
        }
        let absolute = URL(fileURLWithPath: path).standardizedFileURL
        let folder = absolute.deletingLastPathComponent().path
        if stat(folder, &info) == 0 {
            key = .missing(folderDevice: UInt64(info.st_dev), folderInode: UInt64(info.st_ino), name: absolute.lastPathComponent)
        } else {
            key = .unresolved(absolute.path)
        }
    }
}

/// The files a run reads and writes, each with the option that named it, checked before anything
/// is opened for writing: an output must not be an input, nor another output.
struct RunFiles {
    struct Named {
        var option: String
        var path: String
        var identity: FileIdentity
    }
    private(set) var reads: [Named] = []
    private(set) var writes: [Named] = []

    mutating func reads(_ path: String, as option: String) {
        reads.append(Named(option: option, path: path, identity: FileIdentity(path)))
    }

    mutating func writes(_ path: String, as option: String) {
        writes.append(Named(option: option, path: path, identity: FileIdentity(path)))
    }

    /// The first clash, described: which output is which input or output, and what to do.
    func clash() -> String? {
        for (index, output) in writes.enumerated() {
            if let input = reads.first(where: { $0.identity == output.identity }) {
                return "\(output.option) \(output.path) is the same file as \(input.option) \(input.path): writing it would "
                    + "destroy what the run reads. Write the result to another file."
            }
            if let other = writes[..<index].first(where: { $0.identity == output.identity }) {
                return "\(output.option) \(output.path) and \(other.option) \(other.path) are the same file: one output "
                    + "would overwrite the other. Give each output its own file."
            }
        }
        return nil
    }
}

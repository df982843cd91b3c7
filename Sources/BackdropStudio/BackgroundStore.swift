import BackdropCore
import BackdropMedia
import Foundation
import Synchronization

/// The background images the studio can switch to: uploads, kept in a private folder this run
/// creates (mode 0700) and removes at the end, plus the run's own `--background` image.
///
/// No request value ever becomes a path: an upload is stored as `<id>.png` or `.jpg`, where the id
/// is made here and the extension comes from the bytes (PNG or JPEG signatures), and the name the
/// client gave is kept only as a label. An upload is checked before it is stored: its size, its
/// type from its content, and its dimensions from its header (so a small file that would decode to
/// gigabytes is refused unread); then it is decoded once to prove it is an image. Only the image in
/// use is held decoded; the others stay files, so memory does not grow with uploads.
public final class BackgroundStore: Sendable {
    /// One background: what the API lists.
    public struct Entry: Sendable, Equatable, Codable {
        public var id: String
        /// The file name the client gave (or the --background file's), for display only.
        public var name: String
        public var width: Int
        public var height: Int
    }

    public enum Failure: Error, Equatable, CustomStringConvertible {
        case tooLarge(bytes: Int, limit: Int)
        case notAnImage
        case dimensionsTooLarge(width: Int, height: Int, limit: Int)
        case undecodable(String)
        case full(limit: Int)
        case unknownID(String)
        case storeUnavailable(String)

        public var description: String {
            switch self {
            case .tooLarge(let bytes, let limit): "the upload is \(bytes) bytes; the limit is \(limit) bytes (\(limit / 1_048_576) MB)"
            case .notAnImage: "the upload is not a PNG or JPEG image (checked from its content, not its name)"
            case .dimensionsTooLarge(let width, let height, let limit): "the image is \(width)x\(height); backgrounds may be at most \(limit) pixels on each side"
            case .undecodable(let reason): "the image could not be decoded: \(reason)"
            case .full(let limit): "the store holds \(limit) backgrounds already: restart the run to clear it"
            case .unknownID(let id): "no background has the id \(id)"
            case .storeUnavailable(let reason): "the upload folder is unavailable: \(reason)"
            }
        }
    }

    /// Largest upload, in bytes.
    public let maximumBytes: Int
    /// Largest width and height, in pixels.
    public let maximumSide: Int
    /// Most backgrounds kept.
    public let maximumCount: Int
    /// The private folder (created on the first upload).
    public let folder: String

    private struct Stored {
        var entry: Entry
        var path: String
    }

    private struct State {
        var stored: [Stored] = []
        var nextNumber = 1
        var folderCreated = false
    }

    private let state = Mutex(State())

    /// - Parameter parent: where the private folder goes (the system's temporary folder by default).
    public init(parent: String = NSTemporaryDirectory(), maximumBytes: Int = 20 * 1_048_576, maximumSide: Int = 8192,
                maximumCount: Int = 32) {
        self.maximumBytes = maximumBytes
        self.maximumSide = maximumSide
        self.maximumCount = maximumCount
        let unique = UUID().uuidString.prefix(8).lowercased()
        folder = (parent as NSString).appendingPathComponent("backdrop-studio-\(getpid())-\(unique)")
    }

    /// Everything stored, oldest first.
    public var entries: [Entry] { state.withLock { $0.stored.map(\.entry) } }

    public func contains(_ id: String) -> Bool { state.withLock { $0.stored.contains { $0.entry.id == id } } }

    /// Registers the run's own background file (not copied: the run read it already).
    @discardableResult
    public func register(file path: String, image: PixelImage) -> Entry {
        state.withLock { state in
            let entry = Entry(id: "b\(state.nextNumber)", name: Self.label(for: (path as NSString).lastPathComponent),
                              width: image.width, height: image.height)
            state.nextNumber += 1
            state.stored.append(Stored(entry: entry, path: path))
            return entry
        }
    }

    /// Checks, stores and lists an upload; `name` is a label only.
    public func add(_ bytes: [UInt8], name: String) throws(Failure) -> Entry {
        guard bytes.count <= maximumBytes else { throw .tooLarge(bytes: bytes.count, limit: maximumBytes) }
        guard let type = ImageHeader.type(of: bytes) else { throw .notAnImage }
        if let (width, height) = ImageHeader.dimensions(of: bytes, type: type), max(width, height) > maximumSide {
            throw .dimensionsTooLarge(width: width, height: height, limit: maximumSide)
        }
        let (id, path) = try reserve(extension: type == .png ? "png" : "jpg")
        do {
            guard FileManager.default.createFile(atPath: path, contents: Data(bytes), attributes: [.posixPermissions: 0o600]) else {
                throw Failure.storeUnavailable("could not write \(path)")
            }
            let image: PixelImage
            do { image = try ImageFile.read(path) } catch { throw Failure.undecodable(error.description) }
            guard max(image.width, image.height) <= maximumSide else {
                throw Failure.dimensionsTooLarge(width: image.width, height: image.height, limit: maximumSide)
            }
            let entry = Entry(id: id, name: Self.label(for: name), width: image.width, height: image.height)
            state.withLock { $0.stored.append(Stored(entry: entry, path: path)) }
            return entry
        } catch let failure as Failure {
            unlink(path)
            throw failure
        } catch {
            unlink(path)
            throw .storeUnavailable("\(error)")
        }
    }

    /// Decodes the background `id` for use (RGB).
    public func image(_ id: String) throws(Failure) -> PixelImage {
        guard let path = state.withLock({ state in state.stored.first { $0.entry.id == id }?.path }) else {
            throw .unknownID(id)
        }
        do { return try ImageFile.read(path) } catch { throw .undecodable(error.description) }
    }

    /// Deletes the private folder and everything in it (the run's own background file is not in it).
    public func removeAll() {
        let created = state.withLock { state in
            defer { state.stored.removeAll(); state.folderCreated = false }
            return state.folderCreated
        }
        if created { try? FileManager.default.removeItem(atPath: folder) }
    }

    private func reserve(extension fileExtension: String) throws(Failure) -> (id: String, path: String) {
        let reserved: Result<(String, String), Failure> = state.withLock { state in
            guard state.stored.count < maximumCount else { return .failure(.full(limit: maximumCount)) }
            if !state.folderCreated {
                guard mkdir(folder, 0o700) == 0 || errno == EEXIST else {
                    return .failure(.storeUnavailable("could not create \(folder): \(String(cString: strerror(errno)))"))
                }
                state.folderCreated = true
            }
            let id = "b\(state.nextNumber)"
            state.nextNumber += 1
            return .success((id, (folder as NSString).appendingPathComponent("\(id).\(fileExtension)")))
        }
        return try reserved.get()
    }

    /// A display label: the name's last component, printable characters only, at most 80.
    static func label(for name: String) -> String {
        let last = name.split(whereSeparator: { $0 == "/" || $0 == "\\" }).last.map(String.init) ?? ""
        let printable = last.unicodeScalars.filter { $0.value >= 0x20 && $0.value != 0x7F }
        let label = String(String.UnicodeScalarView(printable.prefix(80)))
        return label.isEmpty || label == "." || label == ".." ? "upload" : label
    }
}

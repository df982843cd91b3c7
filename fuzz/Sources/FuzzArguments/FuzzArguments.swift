import ArgumentParser
import BackdropCLI
import FuzzSupport

/// (c) The command line: the data split into arguments at NUL and newline bytes (invalid UTF-8 is
/// repaired as the shell's `CommandLine.arguments` would be), parsed by `BackdropCommand.parseAsRoot`
/// (which also runs each command's `validate()`), never run. A parse error is a pass, and its
/// message is rendered (for `--help` that is the help text) as `main` would print it.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzArguments(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let bytes = data.map { Array(UnsafeBufferPointer(start: $0, count: size)) } ?? []
    let arguments = bytes.split(separator: 0x0A, omittingEmptySubsequences: false)
        .flatMap { $0.split(separator: 0x00, omittingEmptySubsequences: false) }
        .map { String(decoding: $0, as: UTF8.self) }
    guard arguments.count <= 64 else { return -1 }  // -1: not added to the corpus
    let args = arguments == [""] ? [] : arguments
    do {
        let command = try BackdropCommand.parseAsRoot(args)
        _ = String(describing: command)
    } catch {
        _ = BackdropCommand.fullMessage(for: error)
        _ = BackdropCommand.exitCode(for: error)
    }
    return 0
}

@main
enum Main {
    static func main() {
        // For scripts/fuzz.sh's dictionary: every command's and option's name, as ArgumentParser's JSON.
        if CommandLine.arguments.dropFirst().first == "--dump-help" {
            do { _ = try BackdropCommand.parseAsRoot(["--experimental-dump-help"]) } catch {
                print(BackdropCommand.fullMessage(for: error))
            }
            return
        }
        FuzzMain.run(fuzzArguments)
    }
}

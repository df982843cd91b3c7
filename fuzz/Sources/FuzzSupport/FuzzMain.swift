import CFuzzer
#if canImport(Glibc)
import Glibc
#endif

/// Each harness's `main`: hands the command line to libFuzzer (built with `-sanitize=fuzzer`), or,
/// in a build without it, runs the harness once on each file named (to replay a crash).
public enum FuzzMain {
    public typealias Harness = @convention(c) (UnsafePointer<UInt8>?, Int) -> CInt

    public static func run(_ harness: Harness) -> Never {
        if bd_fuzzer_linked() != 0 {
            exit(bd_fuzzer_run(CommandLine.argc, CommandLine.unsafeArgv, harness))
        }
        for path in CommandLine.arguments.dropFirst() where !path.hasPrefix("-") {
            guard let file = fopen(path, "rb") else { fatalError("cannot open \(path)") }
            var bytes: [UInt8] = []
            var buffer = [UInt8](repeating: 0, count: 65_536)
            while case let count = fread(&buffer, 1, buffer.count, file), count > 0 { bytes += buffer[..<count] }
            fclose(file)
            _ = bytes.withUnsafeBufferPointer { harness($0.baseAddress, $0.count) }
            print("ran \(path) (\(bytes.count) bytes)")
        }
        exit(0)
    }
}

import ArgumentParser
import Foundation

/// The options of `backdrop run`, as ArgumentParser itself describes them (the JSON behind
/// `--experimental-dump-help`). The config file and `--print-config` read this instead of a list
/// of their own, so an option added to `Run` is a config key at once, with its own parsing,
/// validation and default.
struct RunOptionCatalog: Sendable {
    struct Entry: Sendable, Equatable {
        enum Kind: Sendable, Equatable {
            /// Takes a value (`--effect blur`); a repeating one may be given several times (`--output`).
            case option(repeating: Bool)
            /// A switch that is off unless given (`--lossless`).
            case flag
            /// A switch with an off spelling too (`--faces` / `--no-faces`).
            case invertibleFlag(off: String)
        }

        /// The config file's key: the long option without its dashes (`blur-strength`).
        var key: String
        var kind: Kind
        /// Every spelling a command line may use for it (`--faces`, `--no-faces`; `-i`).
        var spellings: [String]
        /// The default, as ArgumentParser prints it in --help (nil: none; for a switch, the spelling
        /// that is the default, nil for off).
        var defaultValue: String?
        var valueName: String?
        var help: String?
    }

    let entries: [Entry]

    /// Keys that are no options of the run itself: asking for help, naming the file, printing it.
    static let notConfigKeys: Set<String> = ["help", "config", "print-config"]

    /// `backdrop run`'s options.
    static let run = RunOptionCatalog(describing: Run._dumpHelp())

    init(describing dump: String) {
        let arguments = (try? JSONDecoder().decode(Dump.self, from: Data(dump.utf8)))?.command.arguments ?? []
        var entries: [Entry] = []
        for argument in arguments where argument.kind != "positional" {
            let longNames = (argument.names ?? []).filter { $0.kind == "long" }.map(\.name)
            guard let key = argument.preferredName.flatMap({ $0.kind == "long" ? $0.name : nil }) ?? longNames.first,
                  !Self.notConfigKeys.contains(key) else { continue }
            let spellings = (argument.names ?? []).map { $0.kind == "short" ? "-\($0.name)" : "--\($0.name)" }
            // A flag's inversion is described as a flag of its own, `no-KEY`: one key, two spellings.
            if argument.kind == "flag", key.hasPrefix("no-"), let on = entries.firstIndex(where: { $0.key == key.dropFirst(3) && $0.kind == .flag }) {
                entries[on].kind = .invertibleFlag(off: key)
                entries[on].spellings += spellings
                if argument.defaultValue == "--\(key)" { entries[on].defaultValue = "--\(key)" }
                continue
            }
            entries.append(Entry(key: key, kind: argument.kind == "option" ? .option(repeating: argument.isRepeating) : .flag,
                                 spellings: spellings, defaultValue: argument.defaultValue,
                                 valueName: argument.valueName, help: argument.abstract))
        }
        self.entries = entries
    }

    func entry(forKey key: String) -> Entry? { entries.first { $0.key == key } }

    /// The entry a command-line token sets (`--output`, `--output=a.mp4`, `-o`, `-oa.mp4`), if any.
    func entry(setBy token: String) -> Entry? {
        entries.first { entry in
            entry.spellings.contains { spelling in
                if spelling.hasPrefix("--") { return token == spelling || token.hasPrefix(spelling + "=") }
                return token.hasPrefix(spelling) && !token.hasPrefix("--")
            }
        }
    }

    /// The keys a command line sets itself (up to a `--` that ends the options).
    func keys(setBy commandLine: [String]) -> Set<String> {
        Set(commandLine.prefix { $0 != "--" }.compactMap { entry(setBy: $0)?.key })
    }

    // What of ArgumentParser's ToolInfoV0 JSON is read here (ArgumentParserToolInfo is no product).
    private struct Dump: Decodable {
        struct Command: Decodable { var arguments: [Argument]? }
        struct Argument: Decodable {
            struct Name: Decodable { var kind: String; var name: String }
            var kind: String
            var isRepeating: Bool
            var names: [Name]?
            var preferredName: Name?
            var valueName: String?
            var defaultValue: String?
            var abstract: String?
        }
        var command: Command
    }
}

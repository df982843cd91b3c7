import ArgumentParser
import Foundation
import TOMLKit

/// `backdrop run --config FILE`: a TOML file whose keys are `backdrop run`'s long options without
/// their dashes (`effect = "blur"`, `blur-strength = 20`, `output = ["a.mp4", "/dev/video10"]`,
/// `faces = false` for --no-faces).
///
/// The file becomes arguments (`--blur-strength 20`) placed before the command line's own, and the
/// whole is parsed by ArgumentParser: every key gets its option's parsing and `validate()`, also an
/// option added later. The command line wins: a key whose option it sets is dropped, so a
/// repeatable option (`--output`) is replaced, not added to.
struct RunConfigFile: Sendable, Equatable {
    /// One key of the file: the arguments it stands for, and how the file wrote it (for messages).
    struct Setting: Sendable, Equatable {
        var arguments: [String]
        var written: String
        var line: Int?
    }

    /// What is wrong with a config file, as `FILE:LINE: what is wrong; the fix`. A start with
    /// such a file fails with it (exit 64); a reload logs it and keeps the running settings.
    struct Problem: Error, CustomStringConvertible, Equatable {
        var path: String
        var line: Int?
        var message: String
        var description: String { "\(path)\(line.map { ":\($0)" } ?? ""): \(message)" }
    }

    let path: String
    /// The file's keys, without those the command line sets itself.
    let settings: [String: Setting]

    /// The arguments the file stands for, key by key in name order (a repeated option's values in the file's order).
    var arguments: [String] { settings.keys.sorted().flatMap { settings[$0]!.arguments } }

    init(path: String, settings: [String: Setting]) {
        self.path = path
        self.settings = settings
    }

    /// Reads `path` (relative to the current folder) for a run whose own arguments are `commandLine`.
    init(contentsOf path: String, commandLine: [String], catalog: RunOptionCatalog = .run) throws(Problem) {
        let text: String
        do {
            text = try String(contentsOfFile: path, encoding: .utf8)
        } catch {
            let reason = (error as NSError).localizedFailureReason ?? (error as NSError).localizedDescription
            throw Problem(path: path, message: "cannot read the config file (\(reason)); give --config a readable TOML "
                + "file (backdrop run --print-config writes one with every key)")
        }
        try self.init(text: text, path: path, commandLine: commandLine, catalog: catalog)
    }

    /// `text` as the config file `path` (named in messages).
    init(text: String, path: String, commandLine: [String], catalog: RunOptionCatalog = .run) throws(Problem) {
        let table: TOMLTable
        do {
            table = try TOMLTable(string: text)
        } catch let error as TOMLParseError {
            throw Problem(path: path, line: error.source.begin.line,
                          message: "\(error.description) (column \(error.source.begin.column)); the file must be TOML: key = value lines")
        } catch {
            throw Problem(path: path, message: "\(error); the file must be TOML: key = value lines")
        }
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        let setByCommandLine = catalog.keys(setBy: commandLine)
        var settings: [String: Setting] = [:]
        for key in table.keys {
            let line = Self.line(of: key, in: lines)
            guard let value = table[key] else { continue }
            let setting: Setting
            do {
                setting = try Self.setting(key: key, value: value, line: line, catalog: catalog)
            } catch {
                throw Problem(path: path, line: line, message: error.message)
            }
            if !setByCommandLine.contains(key) { settings[key] = setting }
        }
        self.path = path
        self.settings = settings
    }

    /// Parses `backdrop run` from the file's arguments and then `commandLine` (the arguments after
    /// `run`), with every option's own checks. A failure caused by a value from the file is a
    /// `Problem` naming its line and key; any other is ArgumentParser's own error.
    func parseRun(commandLine: [String]) throws -> Run {
        do {
            let command = try BackdropCommand.parseAsRoot(["run"] + arguments + commandLine)
            guard let run = command as? Run else { throw ValidationError("\(path) configures backdrop run only") }
            return run
        } catch {
            if BackdropCommand.exitCode(for: error) == .success { throw error }  // --help and the like
            let message = BackdropCommand.message(for: error)
            guard let key = key(namedIn: message) else { throw error }
            let setting = settings[key]!
            throw Problem(path: path, line: setting.line, message: "\(message) (the file has \(key) = \(setting.written))")
        }
    }

    /// The file's key whose option `message` names (the longest, so --input-timeout is not --input).
    private func key(namedIn message: String) -> String? {
        settings.keys.sorted { $0.count > $1.count }.first { key in
            settings[key]!.arguments.contains { argument in
                guard argument.hasPrefix("--"), let range = message.range(of: argument) else { return false }
                return message[range.upperBound...].first.map { !($0.isLetter || $0.isNumber || $0 == "-") } ?? true
            }
        }
    }

    // MARK: Keys and values

    private struct KeyProblem: Error { var message: String }

    private static func setting(key: String, value: TOMLValueConvertible, line: Int?,
                                catalog: RunOptionCatalog) throws(KeyProblem) -> Setting {
        guard let entry = catalog.entry(forKey: key) else { throw KeyProblem(message: unknownKey(key, catalog: catalog)) }
        let option = "--\(key)"
        let written = Self.written(value)
        switch entry.kind {
        case .flag, .invertibleFlag:
            guard let on = value.bool else {
                throw KeyProblem(message: "\(key) is a switch (\(option)): write \(key) = true or \(key) = false; got \(written)")
            }
            if case .invertibleFlag(let off) = entry.kind { return Setting(arguments: [on ? option : "--\(off)"], written: written, line: line) }
            return Setting(arguments: on ? [option] : [], written: written, line: line)
        case .option(let repeating):
            let usage = "\(option) <\(entry.valueName ?? key)>"
            if let array = value.array {
                guard repeating else {
                    throw KeyProblem(message: "\(key) takes one value (\(usage)), not a list: write \(key) = VALUE; got \(written)")
                }
                var arguments: [String] = []
                for element in array {
                    guard let text = scalarText(element) else {
                        throw KeyProblem(message: "\(key) lists values (\(usage), repeatable): each a string or a number; got \(written)")
                    }
                    arguments += [option, text]
                }
                return Setting(arguments: arguments, written: written, line: line)
            }
            guard let text = scalarText(value) else {
                let what = value.type == .table ? "a table" : value.type == .bool ? "true/false" : "a \(value.type)"
                throw KeyProblem(message: "\(key) takes a value (\(usage)): write \(key) = \"TEXT\" or a number"
                    + (repeating ? " (or a list of them)" : "") + "; got \(what)")
            }
            return Setting(arguments: [option, text], written: written, line: line)
        }
    }

    /// A string's or a number's text as a command line would give it; nil for anything else.
    private static func scalarText(_ value: TOMLValueConvertible) -> String? {
        switch value.type {
        case .string: value.string
        case .int: value.int.map { String($0) }
        case .double: value.double.map { String($0) }
        default: nil
        }
    }

    /// How the file wrote `value`, for messages and logs.
    static func written(_ value: TOMLValueConvertible) -> String {
        switch value.type {
        case .string: tomlString(value.string ?? "")
        case .array: "[" + (value.array.map { $0.map(written).joined(separator: ", ") } ?? "") + "]"
        case .table: "{...}"
        default: value.debugDescription
        }
    }

    /// `text` as a TOML basic string.
    static func tomlString(_ text: String) -> String {
        "\"" + text.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"") + "\""
    }

    private static func unknownKey(_ key: String, catalog: RunOptionCatalog) -> String {
        if RunOptionCatalog.notConfigKeys.contains(key) {
            return "\(key) is no config key: --\(key) works on the command line only"
        }
        let normalized = key.lowercased().replacingOccurrences(of: "_", with: "-").trimmingCharacters(in: CharacterSet(charactersIn: "-"))
        let hint: String
        if let switchOff = catalog.entries.first(where: { if case .invertibleFlag(let off) = $0.kind { off == normalized } else { false } }) {
            hint = "; write \(switchOff.key) = false"
        } else if let near = catalog.entry(forKey: normalized) ?? catalog.entries.first(where: { $0.key.replacingOccurrences(of: "-", with: "") == normalized.replacingOccurrences(of: "-", with: "") }) {
            hint = "; did you mean \(near.key)?"
        } else {
            hint = ""
        }
        return "unknown key \(tomlString(key)): backdrop run has no --\(key) option\(hint) (the keys are its long options "
            + "without the dashes; backdrop run --print-config lists them all)"
    }

    /// The line (from 1) where `key` is set: `key = ...`, `"key" = ...` or a `[key]` table.
    private static func line(of key: String, in lines: [String]) -> Int? {
        let spellings = [key, "\"\(key)\"", "'\(key)'"]
        return lines.firstIndex { line in
            let text = line.trimmingCharacters(in: .whitespaces)
            return spellings.contains { spelling in
                if text.hasPrefix("[") {
                    return text.trimmingCharacters(in: CharacterSet(charactersIn: "[] ")).hasPrefix(spelling)
                }
                guard text.hasPrefix(spelling) else { return false }
                return text.dropFirst(spelling.count).trimmingCharacters(in: .whitespaces).hasPrefix("=")
            }
        }.map { $0 + 1 }
    }
}

extension RunConfigFile {
    /// The config file a `backdrop run` command line names (the last --config), if any.
    static func path(in commandLine: [String]) -> String? {
        var path: String?
        var tokens = commandLine.prefix { $0 != "--" }.makeIterator()
        while let token = tokens.next() {
            if token == "--config" { path = tokens.next() }
            if token.hasPrefix("--config=") { path = String(token.dropFirst("--config=".count)) }
        }
        return path
    }

    /// The process's command (its arguments after the program name), with `run --config FILE`
    /// read and parsed as described above; any other command as ArgumentParser parses it. A
    /// problem with the file is printed here as `Error: FILE:LINE: ...`, and the error thrown is
    /// the usage error's exit status (64), like a bad option's.
    static func parseAsRoot(_ arguments: [String]) throws -> ParsableCommand {
        guard arguments.first == "run", let path = path(in: Array(arguments.dropFirst())) else {
            return try BackdropCommand.parseAsRoot(arguments)
        }
        let commandLine = Array(arguments.dropFirst())
        do {
            return try RunConfigFile(contentsOf: path, commandLine: commandLine).parseRun(commandLine: commandLine)
        } catch let problem as Problem {
            FileHandle.standardError.write(Data("Error: \(problem)\n".utf8))
            throw ExitCode.validationFailure
        }
    }
}

/// What `backdrop run --print-config` prints: a config file with every key of `RunOptionCatalog`
/// commented out at its default, its --help line above it. Made from the parser's own description
/// of the options, so it lists each option there is, with the default the parser would use.
enum RunConfigTemplate {
    static func text(catalog: RunOptionCatalog = .run) -> String {
        var lines = [
            "# backdrop run --config FILE: each key is a long option of `backdrop run` without its dashes,",
            "# shown commented out at its default. Options given on the command line win over the file.",
            "# SIGHUP (systemctl --user reload backdrop) reads the file again and applies what changed in it:",
            "# " + ConfigReload.liveKeys.joined(separator: ", ") + " at once; other keys need a restart.",
        ]
        for entry in catalog.entries {
            lines.append("")
            if let help = entry.help { lines.append("# \(help)") }
            lines.append("# \(entry.key) = \(defaultText(entry))")
        }
        return lines.joined(separator: "\n")
    }

    /// The entry's default as a TOML value; a placeholder `"<name>"` when it has none.
    static func defaultText(_ entry: RunOptionCatalog.Entry) -> String {
        switch entry.kind {
        case .flag:
            return "false"
        case .invertibleFlag:
            return entry.defaultValue == "--\(entry.key)" ? "true" : "false"
        case .option(let repeating):
            guard let value = entry.defaultValue else {
                let placeholder = RunConfigFile.tomlString("<\(entry.valueName ?? entry.key)>")
                return repeating ? "[\(placeholder)]" : placeholder
            }
            if Int(value) != nil { return value }
            if let number = Double(value), number.isFinite { return value }
            return RunConfigFile.tomlString(value)
        }
    }
}

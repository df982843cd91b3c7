import ArgumentParser

/// `backdrop run --config FILE` and `--print-config`. The file is read before the command line is
/// parsed (`RunConfigFile.parseAsRoot(_:)`); here the options are declared for --help, and
/// the path is kept for SIGHUP's reload (`ConfigReload`).
struct ConfigFileOptions: ParsableArguments {
    @Option(help: ArgumentHelp("Read options from a TOML file: each key a long option without the dashes (blur-strength = 20, output = [\"a.mp4\"], faces = false). The command line wins; SIGHUP reads the file again.", valueName: "FILE"))
    var config: String?

    @Flag(help: "Print a config file with every key at its default, and exit.")
    var printConfig = false

    func validate() throws {
        // Like --help: print and exit 0 (before the run's own checks need anything).
        if printConfig { throw CleanExit.message(RunConfigTemplate.text()) }
    }
}

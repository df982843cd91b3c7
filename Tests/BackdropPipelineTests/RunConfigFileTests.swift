@testable import BackdropCLI
import ArgumentParser
import Foundation
import XCTest

/// `backdrop run --config FILE` in-process: keys become the options they name, the command line
/// wins, and a bad file is refused naming its line and the fix.
final class RunConfigFileTests: XCTestCase {
    private func parse(_ text: String, commandLine: [String] = []) throws -> Run {
        try RunConfigFile(text: text, path: "backdrop.toml", commandLine: commandLine).parseRun(commandLine: commandLine)
    }

    /// The problem `text` is refused with (as a start or a reload would say it).
    private func problem(_ text: String, file: StaticString = #filePath, line: UInt = #line) -> RunConfigFile.Problem? {
        do {
            _ = try parse(text)
            XCTFail("accepted:\n\(text)", file: file, line: line)
        } catch let problem as RunConfigFile.Problem {
            return problem
        } catch {
            XCTFail("not a config problem: \(BackdropCommand.message(for: error))", file: file, line: line)
        }
        return nil
    }

    func testKeysSetTheOptionsTheyNameWithTheOptionsOwnParsing() throws {
        let run = try parse("""
            effect = "green-screen"
            blur-strength = 20
            output = ["a.mp4", "b.mkv"]
            faces = false
            smoothing = true
            lossless = false
            max-fps = 12.5
            process-size = "320x180"
            color = "00ff00"
            models = "/opt/models"
            """)
        XCTAssertEqual(run.effect, .greenScreen)
        XCTAssertEqual(run.blurStrength, 20)
        XCTAssertEqual(run.output, ["a.mp4", "b.mkv"])
        XCTAssertFalse(run.faces, "faces = false is --no-faces")
        XCTAssertTrue(run.smoothing)
        XCTAssertFalse(run.lossless)
        XCTAssertEqual(run.maxFPS, 12.5)
        XCTAssertEqual(run.processSize, .size(PixelSize(width: 320, height: 180)))
        XCTAssertEqual(run.color, RGBColor(red: 0, green: 0xFF, blue: 0))
        XCTAssertEqual(run.modelOptions.models, "/opt/models", "an option group's options are keys too")
        XCTAssertEqual(try parse("output = \"one.mp4\"").output, ["one.mp4"], "a repeatable option takes one value too")
        XCTAssertTrue(try parse("lossless = true\noutput = [\"x.mkv\"]").lossless)
    }

    /// Every option of `backdrop run --help` is a key of the catalog (or its off spelling, or a
    /// command-line-only option), so an option added later is a key without a list to update.
    func testEveryOptionInTheHelpIsAConfigKey() {
        let help = Run.helpMessage(includeHidden: true)
        let options = Set(help.matches(of: /--([a-z][a-z0-9-]*)/).map { String($0.1) })
        let catalog = RunOptionCatalog.run
        let spellings = Set(catalog.entries.flatMap(\.spellings))
        XCTAssertGreaterThan(catalog.entries.count, 20)
        for option in options where !RunOptionCatalog.notConfigKeys.contains(option) {
            XCTAssertTrue(spellings.contains("--\(option)"), "--\(option) is in --help but no config key")
        }
        XCTAssertNil(catalog.entry(forKey: "config"), "a config file names no other")
        XCTAssertEqual(catalog.entry(forKey: "faces")?.kind, .invertibleFlag(off: "no-faces"))
        XCTAssertEqual(catalog.entry(forKey: "output")?.kind, .option(repeating: true))
        XCTAssertEqual(catalog.entry(forKey: "lossless")?.kind, .flag)
    }

    /// `--print-config` shows every key; with each default uncommented, the file parses to what no
    /// file gives: the defaults it prints are the parser's own.
    func testPrintedConfigListsEveryKeyAtTheDefaultThatParsingGives() throws {
        let template = RunConfigTemplate.text()
        for entry in RunOptionCatalog.run.entries {
            XCTAssertTrue(template.contains("\n# \(entry.key) = "), "\(entry.key) missing from --print-config")
        }
        let defaults = template.split(separator: "\n").filter { $0.hasPrefix("# ") && $0.contains(" = ") && !$0.contains("\"<") }
            .map { $0.dropFirst(2) }.joined(separator: "\n")
        XCTAssertGreaterThan(defaults.split(separator: "\n").count, 15, template)
        let fromFile = try parse(String(defaults))
        let fromNothing = try Run.parse([])
        XCTAssertEqual(String(reflecting: fromFile), String(reflecting: fromNothing), "file:\n\(defaults)")
        XCTAssertNotEqual(String(reflecting: try parse("feather = 3")), String(reflecting: fromNothing), "the comparison sees values")
        XCTAssertEqual(fromFile.effect, .blur)
        XCTAssertTrue(fromFile.faces)

        let printed = try XCTUnwrap(Result(catching: { try Run.parse(["--print-config"]) }).failure)
        XCTAssertEqual(Run.exitCode(for: printed), .success)
        XCTAssertEqual(Run.message(for: printed), template)
    }

    func testTheCommandLineWinsOverTheFile() throws {
        let file = """
            effect = "blur"
            output = ["a.mp4", "b.mp4"]
            faces = false
            feather = 4
            """
        let run = try parse(file, commandLine: ["--effect", "mask", "-o", "c.mp4", "--faces"])
        XCTAssertEqual(run.effect, .mask)
        XCTAssertEqual(run.output, ["c.mp4"], "the command line's outputs replace the file's")
        XCTAssertTrue(run.faces)
        XCTAssertEqual(run.feather, 4, "what the command line leaves alone comes from the file")
        XCTAssertEqual(try parse(file, commandLine: ["--output=d.mp4", "--no-faces"]).output, ["d.mp4"])
        XCTAssertEqual(try parse("faces = true", commandLine: ["--no-faces"]).faces, false)
        XCTAssertEqual(RunConfigFile.path(in: ["--effect", "none", "--config", "x.toml"]), "x.toml")
        XCTAssertEqual(RunConfigFile.path(in: ["--config=y.toml"]), "y.toml")
        XCTAssertNil(RunConfigFile.path(in: ["--", "--config", "x.toml"]))
    }

    func testUnknownKeysAndWrongTypesNameTheLineAndTheFix() {
        let unknown = problem("effect = \"blur\"\nblur_strength = 3")
        XCTAssertEqual(unknown?.line, 2)
        XCTAssertTrue(unknown?.description.hasPrefix("backdrop.toml:2: unknown key \"blur_strength\"") == true, "\(unknown!)")
        XCTAssertTrue(unknown?.message.contains("did you mean blur-strength?") == true, "\(unknown!)")
        XCTAssertTrue(problem("no-faces = true")?.message.contains("write faces = false") == true)
        XCTAssertTrue(problem("config = \"other.toml\"")?.message.contains("command line only") == true)

        let cases: [(text: String, says: String)] = [
            ("effect = [\"blur\"]", "effect takes one value (--effect <effect>), not a list"),
            ("faces = \"no\"", "faces is a switch (--faces): write faces = true or faces = false; got \"no\""),
            ("blur-strength = true", "blur-strength takes a value (--blur-strength <blur-strength>)"),
            ("output = [true]", "output lists values"),
            ("\n[effect]\nname = \"blur\"", "effect takes a value"),
        ]
        for (text, says) in cases {
            let found = problem(text)
            XCTAssertTrue(found?.message.contains(says) == true, "\(text): \(String(describing: found))")
            XCTAssertEqual(found?.line, text.split(separator: "\n", omittingEmptySubsequences: false).firstIndex { !$0.isEmpty }! + 1, text)
        }
        let syntax = problem("effect = \"blur\"\nfeather = ")
        XCTAssertEqual(syntax?.line, 2)
        XCTAssertTrue(syntax?.message.contains("TOML") == true, "\(String(describing: syntax))")
    }

    /// A value from the file is checked by its option's own parsing and `validate()`; the message
    /// is the option's, with the file's line and key.
    func testValuesFromTheFileGetTheirOptionsChecksNamingTheLine() {
        let range = problem("effect = \"blur\"\n\nblur-strength = 500")
        XCTAssertEqual(range?.line, 3)
        XCTAssertTrue(range?.message.contains("--blur-strength takes 1 to 100") == true, "\(String(describing: range))")
        XCTAssertTrue(range?.message.contains("(the file has blur-strength = 500)") == true, "\(String(describing: range))")
        let notANumber = problem("input-timeout = 2\nfeather = \"wide\"")
        XCTAssertEqual(notANumber?.line, 2, "--feather, not --input-timeout: \(String(describing: notANumber))")
        XCTAssertTrue(notANumber?.message.contains("'wide'") == true, "\(String(describing: notANumber))")
        XCTAssertTrue(problem("effect = \"sepia\"")?.message.contains("--effect") == true)
    }

    func testAnUnreadableFileSaysSo() {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("no-such-\(UUID()).toml").path
        XCTAssertThrowsError(try RunConfigFile(contentsOf: path, commandLine: [])) { error in
            let text = "\(error)"
            XCTAssertTrue(text.hasPrefix("\(path): cannot read the config file"), text)
            XCTAssertTrue(text.contains("--print-config"), text)
        }
    }
}

private extension Result {
    var failure: Failure? { if case .failure(let error) = self { error } else { nil } }
}

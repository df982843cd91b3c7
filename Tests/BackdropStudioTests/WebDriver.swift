import BackdropTestSupport
import Foundation

/// Headless Chromium driven through chromedriver's W3C WebDriver API (JSON over loopback HTTP):
/// just what the browser tests need (open a page, run a script, click, screenshot an element).
/// chromedriver runs on a free loopback port for the life of this value; `quit()` ends both.
final class WebDriver {
    struct Failure: Error, CustomStringConvertible {
        let description: String
    }

    private let driver: Process
    private let port: Int
    private var session = ""

    /// Starts chromedriver and a headless Chromium session with a `width` x `height` window.
    init(width: Int = 1400, height: Int = 1100) throws {
        guard let chromedriver = Self.onPath("chromedriver") else {
            throw Failure(description: "chromedriver is not installed: run scripts/setup.sh as root "
                + "(it installs the Debian packages chromium and chromium-driver)")
        }
        port = try LoopbackPorts.free(.tcp)
        driver = Process()
        driver.executableURL = URL(fileURLWithPath: chromedriver)
        driver.arguments = ["--port=\(port)"]
        driver.standardOutput = FileHandle.nullDevice
        driver.standardError = FileHandle.nullDevice
        try driver.run()
        var lastError: Error?
        guard poll(timeout: 30, every: 0.1, until: {
            do { try send("GET", "status"); return true } catch { lastError = error; return false }
        }) else {
            driver.terminate()
            driver.waitUntilExit()
            throw Failure(description: "chromedriver did not answer on port \(port) within 30 s: \(lastError.map(String.init(describing:)) ?? "")")
        }
        // --no-sandbox: CI runs as root, where Chromium's sandbox refuses to start.
        let options: [String: Any] = ["args": ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                                               "--hide-scrollbars", "--window-size=\(width),\(height)"]]
        let capabilities: [String: Any] = ["capabilities": ["alwaysMatch": ["browserName": "chrome", "goog:chromeOptions": options]]]
        do {
            let answer = try send("POST", "session", capabilities) as? [String: Any]
            guard let id = answer?["sessionId"] as? String else { throw Failure(description: "no session id in \(String(describing: answer))") }
            session = id
        } catch {
            driver.terminate()
            driver.waitUntilExit()
            throw error
        }
    }

    func open(_ url: String) throws { try send("POST", "session/\(session)/url", ["url": url]) }

    /// Runs `script` (a function body) in the page and returns what it returns, as JSON values.
    @discardableResult
    func execute(_ script: String, _ arguments: [Any] = []) throws -> Any? {
        try send("POST", "session/\(session)/execute/sync", ["script": script, "args": arguments])
    }

    /// The WebDriver reference of the first element `selector` (CSS) matches.
    func element(_ selector: String) throws -> String {
        let found = try send("POST", "session/\(session)/element", ["using": "css selector", "value": selector]) as? [String: Any]
        guard let id = found?.values.first as? String else { throw Failure(description: "no element matches \(selector)") }
        return id
    }

    /// Clicks an element as a user would (for an <option>, this selects it and fires `change`).
    func click(_ element: String) throws { try send("POST", "session/\(session)/element/\(element)/click", [:]) }

    /// A PNG of just this element as it is drawn now.
    func screenshot(of element: String) throws -> Data {
        try png(send("GET", "session/\(session)/element/\(element)/screenshot"))
    }

    func quit() {
        if !session.isEmpty { _ = try? send("DELETE", "session/\(session)") }
        driver.terminate()
        driver.waitUntilExit()
    }

    private func png(_ value: Any?) throws -> Data {
        guard let text = value as? String, let data = Data(base64Encoded: text) else {
            throw Failure(description: "a screenshot was not base64 PNG")
        }
        return data
    }

    /// One WebDriver command: its answer's `value`, or the driver's error as a `Failure`.
    ///
    /// Sent with BackdropTestSupport's socket client, not URLSession: chromedriver writes headers
    /// without a space after the colon (`Content-Length:252`), which corelibs-foundation's
    /// URLSession rejects ("Failed writing header", swiftlang/swift-corelibs-foundation#4965).
    @discardableResult
    private func send(_ method: String, _ path: String, _ body: [String: Any]? = nil) throws -> Any? {
        let json = try body.map { try JSONSerialization.data(withJSONObject: $0) }
        let answer = try HTTPTestClient.request(port: port, method, "/" + path,
                                                headers: json == nil ? [:] : ["Content-Type": "application/json"],
                                                body: json, timeout: 60)
        guard answer.status == 200 else {
            let error = answer.json?["value"] as? [String: Any]
            throw Failure(description: "WebDriver \(method) /\(path) answered \(answer.status): \(error?["message"] ?? answer.text)")
        }
        return answer.json?["value"]
    }

    private static func onPath(_ name: String) -> String? {
        let folders = (ProcessInfo.processInfo.environment["PATH"] ?? "").split(separator: ":") + ["/usr/bin"]
        return folders.map { "\($0)/\(name)" }.first { FileManager.default.isExecutableFile(atPath: $0) }
    }
}

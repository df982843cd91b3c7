import ArgumentParser
import BackdropStudio
import Foundation
import Synchronization

/// `backdrop run`'s studio options: `--serve [HOST:]PORT`, `--token`, `--keep-serving`, `--health-timeout`.
struct ServeOptions: ParsableArguments {
    @Option(help: ArgumentHelp("""
        Serve Backdrop Studio at [HOST:]PORT while the run goes: a page with the live preview, controls for \
        every setting and charts of FPS, latency, memory and drops; /metrics (Prometheus), /healthz, /api/state, \
        PATCH /api/settings. HOST defaults to 127.0.0.1 (this machine only); another needs --token. Port 0 picks \
        a free one (the URL is logged).
        """, valueName: "[HOST:]PORT"))
    var serve: String?
    @Option(help: ArgumentHelp("""
        The secret every studio request must carry (Authorization: Bearer TOKEN, or the page's login form); \
        at least \(StudioConfiguration.minimumTokenLength) characters, e.g. from `openssl rand -hex 16`. \
        Default: $BACKDROP_STUDIO_TOKEN (which, unlike an option, other users cannot read in `ps`).
        """, valueName: "TOKEN"))
    var token: String?
    @Flag(help: "With --serve: keep the studio up after the run ends (the page keeps the summary) until Ctrl-C.")
    var keepServing = false
    @Option(help: "With --serve: /healthz answers 503 when no frame has been output for this many seconds.")
    var healthTimeout = 5.0

    /// The token from the option, else the environment.
    var effectiveToken: String? {
        token ?? ProcessInfo.processInfo.environment["BACKDROP_STUDIO_TOKEN"].flatMap { $0.isEmpty ? nil : $0 }
    }

    func validate() throws {
        guard let serve else {
            if token != nil { throw ValidationError("--token guards the studio: add --serve [HOST:]PORT, or drop --token") }
            if keepServing { throw ValidationError("--keep-serving keeps the studio up: add --serve [HOST:]PORT") }
            return
        }
        let address: ListenAddress
        do { address = try ListenAddress(parsing: serve) } catch { throw ValidationError("--serve: \(error)") }
        try OptionRules.require(healthTimeout, in: 0.5...86_400, "--health-timeout", "seconds without an output frame")
        let configuration = StudioConfiguration(address: address, token: effectiveToken)
        if let problem = configuration.securityProblem { throw ValidationError("--serve \(serve): \(problem)") }
    }

    /// The studio's configuration, when serving (`validate()` has checked it).
    func configuration(run: RunDescription) -> StudioConfiguration? {
        guard let serve, let address = try? ListenAddress(parsing: serve) else { return nil }
        return StudioConfiguration(address: address, token: effectiveToken, healthTimeout: .seconds(healthTimeout), run: run)
    }

    /// Fails before any output is opened when the address cannot be listened on (a port in use, a
    /// host that is not this machine's), so a studio that cannot start never costs a run its files.
    static func checkCanListen(on address: ListenAddress) throws {
        var hints = addrinfo()
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        hints.ai_flags = AI_PASSIVE
        var found: UnsafeMutablePointer<addrinfo>?
        let resolved = getaddrinfo(address.host, String(address.port), &hints, &found)
        guard resolved == 0, let info = found else {
            throw ValidationError("--serve \(address): \(address.host) is not an address of this machine (\(String(cString: gai_strerror(resolved))))")
        }
        defer { freeaddrinfo(found) }
        let socket = Foundation.socket(info.pointee.ai_family, info.pointee.ai_socktype, info.pointee.ai_protocol)
        guard socket >= 0 else { return }  // nothing to learn here; the server reports its own failure
        defer { close(socket) }
        var on: Int32 = 1
        setsockopt(socket, SOL_SOCKET, SO_REUSEADDR, &on, socklen_t(MemoryLayout<Int32>.size))
        if bind(socket, info.pointee.ai_addr, info.pointee.ai_addrlen) != 0 {
            let reason = errno == EADDRINUSE
                ? "port \(address.port) is in use by another program: pick another (--serve \(address.host):PORT, or 0 for any free one)"
                : "cannot listen there: \(String(cString: strerror(errno)))"
            throw ValidationError("--serve \(address): \(reason)")
        }
    }
}

/// Whether the pipeline had already ended when the first signal came: with --keep-serving, that
/// signal only closes the studio of a complete run, which then exits 0.
final class CompletionWitness: Sendable {
    private let ended = Atomic<Bool>(false)
    func record(_ value: Bool) { ended.store(value, ordering: .sequentiallyConsistent) }
    var value: Bool { ended.load(ordering: .sequentiallyConsistent) }
}

import BackdropTestSupport
import Foundation
import XCTest

/// Serving yields to the frame path: the studio's threads (its event loop, its handlers' thread,
/// the preview encoder) run at background priority, the pipeline's stage threads at normal.
final class StudioPriorityTests: StudioTestCase {
    func testTheStudiosThreadsYieldToThePipelines() throws {
        #if os(Linux)
        let run = try startLiveRun()
        waitForFrames(after: 0, run)
        XCTAssertEqual(try run.request("GET", "/preview.jpg").status, 200)  // starts the preview encoder's work
        // Each thread's name and niceness; read until the studio's threads have started and named themselves.
        var threads: [String: [Int]] = [:]
        _ = poll(timeout: 10, every: 0.1) {
            threads = Self.threads(of: run.process.processIdentifier)
            return threads["studio.preview"] != nil && threads["backdrop.studio"] != nil
        }
        for studioThread in ["backdrop.studio", "studio.preview"] {
            XCTAssertEqual(threads[studioThread], [10], "\(studioThread) runs at background priority: \(threads)")
        }
        XCTAssertTrue(threads.keys.contains { $0.hasPrefix("NIO-ELT") }, "the studio's event loop: \(threads.keys.sorted())")
        for (name, values) in threads where name.hasPrefix("NIO-ELT") { XCTAssertEqual(Set(values), [10], name) }
        for stage in ["backdrop.source", "backdrop.effect", "backdrop.sink"] {
            XCTAssertEqual(threads[stage], [0], "\(stage) keeps normal priority: \(threads)")
        }
        XCTAssertEqual(run.stop(), 130)
        #endif
    }

    /// Thread name -> the niceness of each thread of that name, from /proc/PID/task/*/stat.
    static func threads(of pid: Int32) -> [String: [Int]] {
        var threads: [String: [Int]] = [:]
        let tasks = "/proc/\(pid)/task"
        for task in (try? FileManager.default.contentsOfDirectory(atPath: tasks)) ?? [] {
            // stat: "tid (comm) state ..."; nice is the 19th field, the 17th after the comm.
            guard let stat = try? String(contentsOfFile: "\(tasks)/\(task)/stat", encoding: .utf8),
                  let open = stat.firstIndex(of: "("), let close = stat.lastIndex(of: ")") else { continue }
            let name = String(stat[stat.index(after: open)..<close])
            let fields = stat[stat.index(close, offsetBy: 2)...].split(separator: " ")
            threads[name, default: []].append(Int(fields[16]) ?? -99)
        }
        return threads
    }
}

import BackdropTestSupport
import Foundation
import XCTest

/// What the studio reports: /metrics agrees with the run's summary, /healthz follows the frames,
/// the charts' history fills once a second, and the preview streams.
final class StudioTelemetryTests: StudioTestCase {
    /// A complete offline run, kept serving: its final /metrics equal its summary.
    func testMetricsAgreeWithTheSummaryAtTheEnd() throws {
        let run = try StudioRun(backdrop: backdrop, ["run", "--input", Self.talkingHeadClip, "--output", path("out.mp4"),
                                                     "--serve", "127.0.0.1:0", "--keep-serving"], in: folder)
        var state: [String: Any] = [:]
        XCTAssertTrue(poll(timeout: 180, every: 0.2) {
            state = (try? run.json("/api/state")) ?? [:]
            return (state["run"] as? [String: Any])?["finished"] as? Bool == true
        }, "the run did not finish: \(run.errors.suffix(1500))")
        let summary = try XCTUnwrap((state["summary"] as? [String: Any])?["run"] as? [String: Any], "\(state)")
        let metrics = try run.request("GET", "/metrics")
        XCTAssertEqual(metrics.status, 200)
        XCTAssertTrue(metrics.headers["content-type"]?.hasPrefix("text/plain") == true)
        let values = Self.prometheusValues(metrics.text)
        XCTAssertEqual(values[#"backdrop_frames_total{stage="source"}"#], Double(try XCTUnwrap(summary["frames_read"] as? Int)))
        XCTAssertEqual(values[#"backdrop_frames_total{stage="effect"}"#], Double(try XCTUnwrap(summary["frames_processed"] as? Int)))
        XCTAssertEqual(values[#"backdrop_frames_total{stage="sink"}"#], Double(try XCTUnwrap(summary["frames_output"] as? Int)))
        let dropped = values.filter { $0.key.hasPrefix("backdrop_frames_dropped_total") }.values.reduce(0, +)
        XCTAssertEqual(dropped, Double(try XCTUnwrap(summary["frames_dropped"] as? Int)))
        XCTAssertEqual(summary["frames_output"] as? Int, TestMedia.talkingHeadFrames, "offline: every frame")
        // The summary line the tool logged says the same.
        XCTAssertTrue(run.errors.contains("out \(TestMedia.talkingHeadFrames) "), run.errors.suffix(600).description)
        // A finished run is not healthy (nothing flows), and says why.
        let health = try run.request("GET", "/healthz")
        XCTAssertEqual(health.status, 503)
        XCTAssertEqual(health.json?["reason"] as? String, "the run has finished")
        // Ctrl-C now only closes the studio of a complete run.
        XCTAssertEqual(run.stop(), 0, run.errors.suffix(800).description)
        XCTAssertTrue(FileManager.default.fileExists(atPath: path("out.mp4")))
    }

    /// /healthz: 200 while frames flow, 503 naming the reason once none has been output for the stated time.
    func testHealthFollowsTheFrames() throws {
        let port = try LoopbackPorts.free(.udp)
        let stream = try startTestStream(to: "udp://127.0.0.1:\(port)", seconds: 60)
        defer { stream.terminate(); stream.waitUntilExit() }
        let run = try StudioRun(backdrop: backdrop, ["run", "--input", "udp://127.0.0.1:\(port)", "--no-output", "--no-faces",
                                                     "--input-timeout", "2", "--health-timeout", "1.5",
                                                     "--serve", "127.0.0.1:0"], in: folder)
        waitForFrames(after: 0, run)
        XCTAssertTrue(poll(timeout: 10, every: 0.1) { (try? run.request("GET", "/healthz").status) == 200 }, "healthy while frames flow")
        stream.terminate()  // the stream goes silent: the run waits, then reconnects
        var health: HTTPTestClient.Response?
        XCTAssertTrue(poll(timeout: 30, every: 0.1) {
            health = try? run.request("GET", "/healthz")
            return health?.status == 503
        }, "unhealthy once frames stop: \(health?.text ?? "no answer")")
        let reason = try XCTUnwrap(health?.json?["reason"] as? String)
        XCTAssertTrue(reason.contains("no frame has been output for") || reason.contains("reconnecting"), reason)
        XCTAssertEqual(health?.json?["status"] as? String, "unhealthy")
        run.stop()
    }

    /// The charts' history gains a sample a second, the event stream pushes them, and the preview streams JPEGs.
    func testHistoryEventsAndPreview() throws {
        let run = try startLiveRun()
        waitForFrames(after: 0, run)
        XCTAssertTrue(poll(timeout: 15, every: 0.2) {
            ((try? run.json("/api/history"))?["samples"] as? [Any])?.count ?? 0 >= 3
        })
        let samples = try XCTUnwrap(try run.json("/api/history")["samples"] as? [[String: Any]])
        let times = samples.compactMap { $0["t"] as? Double }
        XCTAssertEqual(times.count, samples.count)
        for (earlier, later) in zip(times, times.dropFirst()) {
            XCTAssertEqual(later - earlier, 1, accuracy: 0.5, "a sample a second: \(times)")
        }
        for key in ["in_fps", "processed_fps", "out_fps", "latency_p50_ms", "latency_p99_ms", "rss_mb", "dropped"] {
            XCTAssertNotNil(samples.last?[key], key)
        }
        XCTAssertGreaterThan(samples.last?["out_fps"] as? Double ?? 0, 1, "frames flow: \(samples.last ?? [:])")

        let events = try run.request("GET", "/api/events", maximumBytes: 400)
        XCTAssertEqual(events.headers["content-type"], "text/event-stream")
        XCTAssertTrue(events.text.hasPrefix("event: settings\ndata: {"), events.text.prefix(200).description)

        // MJPEG: parts of JPEG frames at most 640 wide (the clip is 352x288, so as they are).
        let stream = try run.request("GET", "/preview?view=input", maximumBytes: 200_000)
        XCTAssertEqual(stream.headers["content-type"], "multipart/x-mixed-replace; boundary=frame")
        let parts = stream.text.components(separatedBy: "--frame\r\nContent-Type: image/jpeg\r\n").count - 1
        XCTAssertGreaterThanOrEqual(parts, 2, "at least two frames in 200 KB")
        for view in ["output", "input", "mask"] {
            let jpeg = try run.request("GET", "/preview.jpg?view=\(view)")
            XCTAssertEqual(jpeg.status, 200, "\(view): \(jpeg.text.prefix(200))")
            XCTAssertEqual(Array(jpeg.body.prefix(3)), [0xFF, 0xD8, 0xFF], view)
        }
        XCTAssertEqual(run.stop(), 130)
    }

    /// `name{labels} value` lines of a Prometheus text exposition.
    static func prometheusValues(_ text: String) -> [String: Double] {
        var values: [String: Double] = [:]
        for line in text.split(separator: "\n") where !line.hasPrefix("#") {
            guard let space = line.lastIndex(of: " "), let value = Double(line[line.index(after: space)...]) else { continue }
            values[String(line[..<space])] = value
        }
        return values
    }
}

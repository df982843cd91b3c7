import ArgumentParser
import BackdropCore
import BackdropMedia
import BackdropMediaPipe
import Foundation

struct Speed: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Per-frame wall and CPU time of each task in VIDEO mode; one JSON line per task.",
        discussion: "bench/foundation_bench.py runs this beside the MediaPipe Python API and prints the comparison.")

    @Option(help: "The frame to feed, PNG or JPEG (use a 1280x720 one for the 720p figures).")
    var image: String
    @Option(help: "Measured frames per task.")
    var frames = 200
    @Option(help: "Warm-up frames per task.")
    var warmup = 20

    func run() throws {
        let frame = try ImageFile.read(image, as: .rgb)
        for kind in TaskDriver.Kind.allCases {
            let driver = try TaskDriver(kind: kind, mode: .video, models: ModelDirectory())
            var timestamp: Int64 = 0
            for _ in 0..<warmup { timestamp += 33; try driver.run(frame, timestampMs: timestamp) }
            let cpuBefore = ProcessMemory.cpuSeconds()
            let started = ContinuousClock.now
            for _ in 0..<frames { timestamp += 33; try driver.run(frame, timestampMs: timestamp) }
            let wall = ContinuousClock.now - started
            let cpu = ProcessMemory.cpuSeconds() - cpuBefore
            try driver.close()
            let wallMs = (Double(wall.components.seconds) * 1e3 + Double(wall.components.attoseconds) / 1e15) / Double(frames)
            print("{\"task\": \"\(kind.rawValue)\", \"width\": \(frame.width), \"height\": \(frame.height), "
                  + "\"frames\": \(frames), \"wall_ms\": \(wallMs), \"cpu_ms\": \(cpu * 1e3 / Double(frames))}")
            fflush(nil)
        }
    }
}

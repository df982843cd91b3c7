import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A one-line progress display on stderr for file inputs: frames, FPS and ETA. Redraws in place
/// on a terminal; elsewhere (logs, CI) prints a line every 10 seconds at most.
final class Progress: @unchecked Sendable {
    private let total: Int?
    private let enabled: Bool
    private let terminal = isatty(STDERR_FILENO) != 0
    private let started = Date()
    private var lastPrinted = Date.distantPast
    private let lock = NSLock()

    init(total: Int?, enabled: Bool) {
        self.total = total
        self.enabled = enabled
    }

    func show(frames: Int) {
        lock.withLock {
            guard enabled, frames > 0 else { return }
            let now = Date()
            guard terminal || now.timeIntervalSince(lastPrinted) >= 10 else { return }
            lastPrinted = now
            write(line(frames: frames, now: now), final: false)
        }
    }

    func finish(frames: Int) {
        lock.withLock {
            guard enabled else { return }
            write(line(frames: frames, now: Date()), final: true)
        }
    }

    private func line(frames: Int, now: Date) -> String {
        let elapsed = max(0.001, now.timeIntervalSince(started))
        let fps = Double(frames) / elapsed
        guard let total, total > 0 else { return String(format: "%d frames  %.1f fps", frames, fps) }
        let fraction = min(1, Double(frames) / Double(total))
        let width = 30
        let filled = Int(fraction * Double(width))
        let bar = String(repeating: "#", count: filled) + String(repeating: "-", count: width - filled)
        let eta = fps > 0 ? Double(max(0, total - frames)) / fps : 0
        return String(format: "[%@] %d/%d frames  %.1f fps  ETA %@", bar, frames, total, fps, Self.clock(eta))
    }

    private func write(_ line: String, final: Bool) {
        let text = terminal ? "\r\(line)\u{1B}[K" + (final ? "\n" : "") : line + "\n"
        FileHandle.standardError.write(Data(text.utf8))
    }

    private static func clock(_ seconds: Double) -> String {
        let total = Int(seconds.rounded())
        return String(format: "%d:%02d", total / 60, total % 60)
    }
}

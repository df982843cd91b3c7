import BackdropCore
import Foundation
import Logging

/// How the run's log words a live input's losses and returns (`SourceStatus`'s events).
extension SourceStatus.Event {
    var logLevel: Logger.Level {
        switch self {
        case .lost, .gaveUp: .warning
        case .restored: .notice
        }
    }

    func message(input: String) -> String {
        switch self {
        case let .lost(reason):
            "\(input) stopped delivering (\(reason)); reopening it with back-off. A virtual camera output "
                + "keeps showing the last frame meanwhile"
        case let .restored(gap, attempt):
            "\(input) is back after \(String(format: "%.1f", gap)) s without frames (reopen attempt \(attempt))"
        case let .gaveUp(reason):
            "gave up reopening \(input): \(reason)"
        }
    }
}

extension SourceStatistics {
    /// "reconnected 2 times; 7.4 s without frames in all", or nil when the input never dropped out.
    var gapSummary: String? {
        guard reconnects > 0 else { return nil }
        return "reconnected \(reconnects) time\(reconnects == 1 ? "" : "s"); "
            + String(format: "%.1f", Double(gapMicroseconds) / 1e6) + " s without frames in all"
    }
}

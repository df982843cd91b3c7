import Foundation

/// Waits until `condition` holds, checking every `every` seconds, for at most `timeout` seconds.
/// Returns whether it held: tests poll instead of sleeping a fixed time and hoping.
@discardableResult
public func poll(timeout: TimeInterval, every interval: TimeInterval = 0.02, until condition: () throws -> Bool) rethrows -> Bool {
    let deadline = Date().addingTimeInterval(timeout)
    while true {
        if try condition() { return true }
        if Date() >= deadline { return false }
        Thread.sleep(forTimeInterval: interval)
    }
}

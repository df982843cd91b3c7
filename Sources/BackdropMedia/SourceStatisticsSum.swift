import BackdropCore

extension SourceStatistics {
    /// Adds the counts of an input that came before (a camera closed while nobody watched, a loop's
    /// earlier list). What the input declares and whether it ended early are the newer input's to say.
    mutating func add(_ other: SourceStatistics) {
        framesDelivered += other.framesDelivered
        damagedFramesSkipped += other.damagedFramesSkipped
        reconnects += other.reconnects
        gapMicroseconds += other.gapMicroseconds
    }
}

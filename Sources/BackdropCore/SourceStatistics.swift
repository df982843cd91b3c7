/// What a source reports about its input.
public struct SourceStatistics: Sendable, Equatable {
    public var framesDelivered = 0
    /// Frames that could not be decoded (corrupt or truncated data) and were skipped.
    public var damagedFramesSkipped = 0
    /// Times a live source was reopened after it stopped.
    public var reconnects = 0
    /// Total time a live source was gone, in microseconds.
    public var gapMicroseconds: Int64 = 0
    /// Frames the input says it holds (a file's nb_frames, else duration x rate), nil when live or unknown.
    public var framesDeclared: Int?
    /// The input ended well short of `framesDeclared` (decoded and damaged frames together more than
    /// 2 frames + 1% under a stated count, 2 + 5% under one estimated from the duration): the file
    /// looks truncated. The frames before the cut are good.
    public var endedEarly = false

    public init() {}

    /// Whether `seen` frames (decoded and damaged) fall short of `declared` by more than a count off
    /// by a frame or two needs (the rule `endedEarly` states): 2 frames + 1% of a stated count,
    /// 2 + 5% of one estimated from the duration (variable frame rates and rounding make that rougher).
    public static func fallsShort(seen: Int, of declared: Int, countIsStated: Bool) -> Bool {
        declared > 0 && declared - seen > 2 + declared / (countIsStated ? 100 : 20)
    }
}

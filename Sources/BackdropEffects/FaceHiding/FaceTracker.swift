/// Follows faces from frame to frame so a missed face stays hidden and the main face stays the
/// same one: each box found is matched to the track it overlaps most; a track not found for more
/// than `holdFrames` frames ends; the main face is chosen once and kept while its track lives.
///
/// Storage is reserved up front for ``capacity`` tracks: updating allocates nothing.
public struct FaceTracker: Sendable {
    public struct Track: Sendable, Equatable {
        /// Unique within a tracker's life (the main face is remembered by it).
        public var id: Int
        /// Where the face was last found.
        public var box: FaceBox
        /// Frames since it was last found (0: found in this frame).
        public var missedFrames: Int
    }

    /// The most tracks held at once: up to ``FaceHiding/faceLimit`` faces found in a frame plus as
    /// many held after they were missed. A face found when all are taken replaces the track
    /// missed longest (a face found now matters more than one held).
    public static let capacity = 2 * FaceHiding.faceLimit
    /// Boxes overlapping at least this much (intersection over union) are the same face.
    public static let sameFaceOverlap = 0.2
    /// Another face takes over as the main face only once it is this much larger in area: faces of
    /// about the same size never swap as their sizes jitter.
    public static let mainSwitchRatio = 1.5
    /// Areas within this ratio count as equal when choosing the main face: then the most central wins.
    public static let equalAreaRatio = 1.1

    public private(set) var tracks: [Track] = []
    /// The main face's track id (nil: no faces).
    public private(set) var mainID: Int?
    private var nextID = 0

    public init() { tracks.reserveCapacity(Self.capacity) }

    public mutating func reset() {
        tracks.removeAll(keepingCapacity: true)
        mainID = nil
    }

    /// The main face's track, when there is one.
    public var main: Track? {
        for track in tracks where track.id == mainID { return track }
        return nil
    }

    /// One frame's boxes (at most ``FaceHiding/faceLimit`` are used) in a `width` x `height` frame.
    public mutating func update(with boxes: [FaceBox], holdFrames: Int, width: Int, height: Int) {
        for index in tracks.indices { tracks[index].missedFrames += 1 }
        let count = min(boxes.count, FaceHiding.faceLimit)
        // Greedy matching, best overlap first; bit sets mark what is taken (no arrays to allocate).
        var matchedBoxes: UInt32 = 0, matchedTracks: UInt32 = 0
        let tracksBefore = tracks.count
        while true {
            var best = Self.sameFaceOverlap, bestBox = -1, bestTrack = -1
            for b in 0..<count where matchedBoxes & (1 << b) == 0 {
                for t in 0..<tracksBefore where matchedTracks & (1 << t) == 0 {
                    let overlap = boxes[b].overlap(with: tracks[t].box)
                    if overlap >= best { best = overlap; bestBox = b; bestTrack = t }
                }
            }
            guard bestBox >= 0 else { break }
            matchedBoxes |= 1 << bestBox
            matchedTracks |= 1 << bestTrack
            tracks[bestTrack].box = boxes[bestBox]
            tracks[bestTrack].missedFrames = 0
        }
        var index = tracks.count - 1
        while index >= 0 {
            if tracks[index].missedFrames > holdFrames { tracks.remove(at: index) }
            index -= 1
        }
        for b in 0..<count where matchedBoxes & (1 << b) == 0 {
            if tracks.count == Self.capacity {
                var oldest = 0
                for t in tracks.indices where tracks[t].missedFrames > tracks[oldest].missedFrames { oldest = t }
                tracks.remove(at: oldest)
            }
            tracks.append(Track(id: nextID, box: boxes[b], missedFrames: 0))
            nextID += 1
        }
        chooseMain(width: width, height: height)
    }

    /// Keeps the main face while its track lives, unless a face found in this frame is
    /// ``mainSwitchRatio`` times larger; otherwise picks the largest (ties: the most central).
    private mutating func chooseMain(width: Int, height: Int) {
        // Indices, not optional tracks, and no nested function: nothing here allocates, even unoptimized.
        var current = -1
        for t in tracks.indices where tracks[t].id == mainID { current = t }
        if current >= 0 {
            var largest = -1
            for t in tracks.indices where tracks[t].missedFrames == 0 && (largest < 0 || tracks[t].box.area > tracks[largest].box.area) {
                largest = t
            }
            if largest >= 0, tracks[largest].box.area > tracks[current].box.area * Self.mainSwitchRatio { mainID = tracks[largest].id }
            return
        }
        let centerX = Double(width) / 2, centerY = Double(height) / 2
        var best = -1
        for t in tracks.indices where tracks[t].missedFrames == 0 {
            guard best >= 0 else { best = t; continue }
            let area = tracks[t].box.area, chosenArea = tracks[best].box.area
            let larger = max(area, chosenArea), smaller = min(area, chosenArea)
            let equal = smaller > 0 && larger / smaller <= Self.equalAreaRatio
            let closer = Self.squaredDistance(tracks[t].box, centerX, centerY) < Self.squaredDistance(tracks[best].box, centerX, centerY)
            if equal ? closer : area > chosenArea { best = t }
        }
        mainID = best >= 0 ? tracks[best].id : nil
    }

    private static func squaredDistance(_ box: FaceBox, _ x: Double, _ y: Double) -> Double {
        let dx = box.centerX - x, dy = box.centerY - y
        return dx * dx + dy * dy
    }
}

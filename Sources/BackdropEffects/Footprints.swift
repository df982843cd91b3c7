/// For each destination sample of a shrinking resize, the run of source samples it averages
/// (`start[d] ..< start[d + 1]`): an area-average downscale without per-pixel index math.
final class Footprints {
    let start = ScratchBuffer<Int32>()
    private var key = (source: -1, destination: -1)

    /// Splits `source` samples into `destination` runs of near-equal length (each at least one
    /// sample when `destination <= source`).
    func build(source: Int, destination: Int) {
        guard source != key.source || destination != key.destination else { return }
        start.reserve(destination + 1)
        for d in 0...destination {
            start.pointer[d] = Int32(min(source, max(0, d * source / max(1, destination))))
        }
        // A destination larger than the source would give empty runs; give each at least one sample.
        for d in 0..<destination where start.pointer[d + 1] <= start.pointer[d] {
            start.pointer[d + 1] = min(Int32(source), start.pointer[d] + 1)
        }
        key = (source, destination)
    }
}

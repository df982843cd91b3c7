/// The source ended before its first frame though it declares frames: the input looks truncated,
/// and nothing good came out of it, so the run fails.
struct InputTruncated: Error, CustomStringConvertible {
    let source: String
    let framesDeclared: Int

    var description: String {
        "\(source) declares \(framesDeclared) frames but ended before the first could be decoded, so it looks "
            + "truncated (a copy, download or recording that did not finish); get a complete copy"
    }
}

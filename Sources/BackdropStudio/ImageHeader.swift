/// What an uploaded file is, from its first bytes (never from its name), and its dimensions from its
/// header, read before anything decodes it.
enum ImageHeader {
    enum Kind: Equatable { case png, jpeg }

    static func type(of bytes: [UInt8]) -> Kind? {
        if bytes.starts(with: [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]) { return .png }
        if bytes.starts(with: [0xFF, 0xD8, 0xFF]) { return .jpeg }
        return nil
    }

    /// Width and height as the header states them, or nil when the header does not say (the decode
    /// that follows then decides).
    static func dimensions(of bytes: [UInt8], type: Kind) -> (width: Int, height: Int)? {
        switch type {
        case .png:
            // The signature, then the IHDR chunk: length (4), "IHDR" (4), width (4), height (4), big-endian.
            guard bytes.count >= 24, Array(bytes[12..<16]) == Array("IHDR".utf8) else { return nil }
            return (bigEndian(bytes, at: 16, count: 4), bigEndian(bytes, at: 20, count: 4))
        case .jpeg:
            // Walk the marker segments to the first start-of-frame (SOF0...SOF15 but DHT, JPG, DAC).
            var offset = 2
            while offset + 9 <= bytes.count {
                guard bytes[offset] == 0xFF else { return nil }
                let marker = bytes[offset + 1]
                if marker == 0xFF { offset += 1; continue }  // fill byte
                let length = bigEndian(bytes, at: offset + 2, count: 2)
                if (0xC0...0xCF).contains(marker), ![0xC4, 0xC8, 0xCC].contains(marker) {
                    return (bigEndian(bytes, at: offset + 7, count: 2), bigEndian(bytes, at: offset + 5, count: 2))
                }
                guard length >= 2 else { return nil }
                offset += 2 + length
            }
            return nil
        }
    }

    private static func bigEndian(_ bytes: [UInt8], at offset: Int, count: Int) -> Int {
        bytes[offset..<offset + count].reduce(0) { $0 << 8 | Int($1) }
    }
}

import BackdropCore

/// Turns a packed image clockwise by a quarter, half or three quarters, for sources whose stream
/// says how the picture must turn to be upright (a phone's display matrix).
///
/// Writes into the caller's image, reusing its storage when it already has the turned size and the
/// format, so turning every frame of a stream allocates nothing after the first. Works in 32x32
/// tiles so both images are walked cache-friendly whichever way the turn goes.
enum FrameRotation {
    /// The size of `width` x `height` turned clockwise by `degrees` (a multiple of 90).
    static func turnedSize(width: Int, height: Int, clockwise degrees: Int) -> (width: Int, height: Int) {
        quarterTurns(degrees) % 2 == 1 ? (height, width) : (width, height)
    }

    /// Quarter turns (0...3) clockwise for `degrees`, which is rounded to a multiple of 90.
    static func quarterTurns(_ degrees: Int) -> Int {
        let turns = Int((Double(degrees) / 90).rounded())
        return (turns % 4 + 4) % 4
    }

    /// Makes `destination` `source` turned clockwise by `degrees` (0, 90, 180, 270).
    static func turn(_ source: PixelImage, clockwise degrees: Int, into destination: inout PixelImage) {
        let turns = quarterTurns(degrees)
        let width = source.width, height = source.height, channels = source.format.bytesPerPixel
        let (turnedWidth, turnedHeight) = turnedSize(width: width, height: height, clockwise: degrees)
        if turns == 0 {
            destination.overwrite(with: source)
            return
        }
        if destination.width != turnedWidth || destination.height != turnedHeight || destination.format != source.format
            || destination.pixels.count != turnedWidth * turnedHeight * channels {
            destination = PixelImage(width: turnedWidth, height: turnedHeight, format: source.format)
        }
        guard width > 0, height > 0, source.pixels.count >= width * height * channels else { return }
        let tile = 32
        source.pixels.withUnsafeBufferPointer { sourceBuffer in
            destination.pixels.withUnsafeMutableBufferPointer { destinationBuffer in
                guard let from = sourceBuffer.baseAddress, let to = destinationBuffer.baseAddress else { return }
                for tileY in stride(from: 0, to: turnedHeight, by: tile) {
                    for tileX in stride(from: 0, to: turnedWidth, by: tile) {
                        let endX = min(tileX + tile, turnedWidth)
                        for y in tileY..<min(tileY + tile, turnedHeight) {
                            // Destination (x, y) comes from source (sx, sy); walking x steps the source by `step`.
                            let start: Int, step: Int
                            switch turns {
                            case 1:  // sx = y, sy = height - 1 - x
                                start = (height - 1 - tileX) * width + y
                                step = -width
                            case 2:  // sx = width - 1 - x, sy = height - 1 - y
                                start = (height - 1 - y) * width + (width - 1 - tileX)
                                step = -1
                            default:  // sx = width - 1 - y, sy = x
                                start = tileX * width + (width - 1 - y)
                                step = width
                            }
                            var read = from + start * channels
                            var write = to + (y * turnedWidth + tileX) * channels
                            let stride = step * channels
                            switch channels {
                            case 3:
                                for _ in tileX..<endX {
                                    write[0] = read[0]; write[1] = read[1]; write[2] = read[2]
                                    write += 3; read += stride
                                }
                            case 4:
                                for _ in tileX..<endX {
                                    write.withMemoryRebound(to: UInt32.self, capacity: 1) { out in
                                        read.withMemoryRebound(to: UInt32.self, capacity: 1) { out.pointee = $0.pointee }
                                    }
                                    write += 4; read += stride
                                }
                            default:
                                for _ in tileX..<endX {
                                    for channel in 0..<channels { write[channel] = read[channel] }
                                    write += channels; read += stride
                                }
                            }
                        }
                    }
                }
            }
        }
    }
}

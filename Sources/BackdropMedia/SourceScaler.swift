import BackdropCore
import CFFmpeg

/// The one libswscale context a source keeps for its whole life, converting decoded frames straight
/// into a `PixelImage`'s array storage.
///
/// The context is rebuilt only when the decoded frames change size, format or YUV range, so
/// steady-state frames allocate nothing; frames already in the output layout are copied row by row.
final class SourceScaler {
    private var context: OpaquePointer?
    private var configured: Configuration?
    /// Scratch rows for widths libswscale cannot write into packed rows (see ``writesWithinRows(width:)``).
    private var paddedRows: [UInt8] = []

    private struct Configuration: Equatable {
        var exact: Bool
        var width: Int32
        var height: Int32
        var source: Int32
        var target: Int32
        var range: UInt32
        var space: UInt32
    }

    deinit { sws_freeContext(context) }

    /// Converts `frame` into `image` as `format`, reusing `image`'s storage when it already has the
    /// frame's size and `format` (otherwise `image` is replaced, which allocates once).
    func convert(_ frame: UnsafePointer<AVFrame>, into image: inout PixelImage, as format: PixelFormat,
                 name: String, exact: Bool) throws(MediaError) {
        let width = Int(frame.pointee.width), height = Int(frame.pointee.height)
        guard width > 0, height > 0 else {
            throw .notVideo(path: name, reason: "the decoder produced a \(width)x\(height) picture")
        }
        try Self.checkFrameSize(width: width, height: height, name: name)
        let rowBytes = width * format.bytesPerPixel
        if image.width != width || image.height != height || image.format != format || image.pixels.count != rowBytes * height {
            image = PixelImage(width: width, height: height, format: format)
        }
        let target = format.avPixelFormat
        if frame.pointee.format == target.rawValue {
            copyPlane(of: frame, into: &image.pixels, rowBytes: rowBytes, height: height)
            return
        }
        let scaler = try prepare(for: frame, to: target, name: name, exact: exact)
        let status: Int32
        if Self.writesWithinRows(width: width) {
            status = image.pixels.withUnsafeMutableBufferPointer { pixels in
                bd_sws_scale_to_plane(scaler, frame, pixels.baseAddress, Int32(rowBytes))
            }
        } else {
            status = convertThroughPaddedRows(frame, scaler: scaler, into: &image.pixels, rowBytes: rowBytes, height: height)
        }
        if status < 0 {
            throw FFmpeg.error("converting a frame of \(name) to \(FFmpeg.name(of: target)) (sws_scale)", status)
        }
    }

    /// The largest frame a source delivers: 8K UHD's pixel count (7680x4320), in any shape with
    /// sides up to 16384. A pipeline keeps about ten frames and their float masks in flight, so a
    /// frame far past this would take gigabytes; a stream can also claim a small size and then
    /// decode a huge frame (a damaged or hostile file, found by fuzzing).
    static let maximumPixels = 7680 * 4320
    static let maximumSide = 16384

    /// Refuses a frame larger than ``maximumPixels`` or ``maximumSide``, naming its size.
    static func checkFrameSize(width: Int, height: Int, name: String) throws(MediaError) {
        guard width * height > maximumPixels || width > maximumSide || height > maximumSide else { return }
        throw .unsupported(path: name, reason: "a frame is \(width)x\(height) (\(width * height / 1_000_000) megapixels); Backdrop "
            + "handles frames up to \(maximumPixels / 1_000_000) megapixels (7680x4320) with sides up to \(maximumSide). "
            + "If the file is not damaged, scale it down first, e.g. ffmpeg -i IN -vf scale=3840:-2 OUT")
    }

    /// Whether libswscale can write straight into tightly packed rows of this width.
    ///
    /// Its SIMD YUV-to-RGB code stores whole blocks of pixels, so when a row does not end on a
    /// block it writes up to ~20 bytes past the row, and past the last row that is past the end of
    /// the buffer: heap corruption (valgrind: "Invalid write of size 8" in sws_scale; a 2x2 clip
    /// crashed `backdrop run`, and 426x240 overruns too). Widths that are a multiple of 64 pixels
    /// leave no partial block for any block size it uses (checked under valgrind for 64...1920).
    static func writesWithinRows(width: Int) -> Bool { width % 64 == 0 }

    /// Padding after each row and after the last one in `paddedRows`, beyond the largest overrun seen.
    static let rowPadding = 64

    /// Converts into a scratch buffer whose rows have room for libswscale's overrun, then copies
    /// the rows out. The scratch buffer is kept, so steady-state frames allocate nothing.
    private func convertThroughPaddedRows(_ frame: UnsafePointer<AVFrame>, scaler: OpaquePointer,
                                          into pixels: inout [UInt8], rowBytes: Int, height: Int) -> Int32 {
        let stride = (rowBytes + Self.rowPadding + 63) / 64 * 64
        let needed = stride * height + Self.rowPadding
        if paddedRows.count != needed { paddedRows = [UInt8](repeating: 0, count: needed) }
        let status = paddedRows.withUnsafeMutableBufferPointer { scratch in
            bd_sws_scale_to_plane(scaler, frame, scratch.baseAddress, Int32(stride))
        }
        guard status >= 0 else { return status }
        paddedRows.withUnsafeBufferPointer { scratch in
            pixels.withUnsafeMutableBufferPointer { destination in
                for row in 0..<height {
                    (destination.baseAddress! + row * rowBytes).update(from: scratch.baseAddress! + row * stride, count: rowBytes)
                }
            }
        }
        return status
    }

    private func prepare(for frame: UnsafePointer<AVFrame>, to target: AVPixelFormat,
                         name: String, exact: Bool) throws(MediaError) -> OpaquePointer {
        let wanted = Configuration(exact: exact, width: frame.pointee.width, height: frame.pointee.height, source: frame.pointee.format,
                                   target: target.rawValue, range: frame.pointee.color_range.rawValue,
                                   space: frame.pointee.colorspace.rawValue)
        if let context, configured == wanted { return context }
        sws_freeContext(context)
        context = nil
        configured = nil
        // The same YUV range handling as still images; with `exact`, the same flags too, so a video
        // frame and the same picture read by ImageFile convert alike.
        let scaler = try FrameConversion.makeScaler(for: frame, to: target, path: name, exact: exact)
        context = scaler
        configured = wanted
        return scaler
    }

    private func copyPlane(of frame: UnsafePointer<AVFrame>, into pixels: inout [UInt8], rowBytes: Int, height: Int) {
        let stride = Int(frame.pointee.linesize.0)
        guard let plane = frame.pointee.data.0 else { return }
        pixels.withUnsafeMutableBufferPointer { destination in
            for row in 0..<height {
                (destination.baseAddress! + row * rowBytes).update(from: plane + row * stride, count: rowBytes)
            }
        }
    }
}

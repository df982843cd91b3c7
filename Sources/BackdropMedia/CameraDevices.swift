import BackdropCore
import CFFmpeg
#if canImport(Glibc)
import Glibc
#endif

/// One way a camera can capture: a pixel format at a size, with the frame rates it offers there.
public struct CameraMode: Sendable, Equatable, Hashable {
    /// The V4L2 four-character code, e.g. "YUYV" or "MJPG".
    public var fourCC: String
    /// FFmpeg's name for it, to pass as `CameraRequest.pixelFormat` (nil when Backdrop does not know one).
    public var inputFormat: String?
    public var width: Int
    public var height: Int
    /// Frames per second, highest first. Cameras with continuous ranges report the range's ends.
    public var frameRates: [Double]

    public init(fourCC: String, inputFormat: String?, width: Int, height: Int, frameRates: [Double]) {
        self.fourCC = fourCC
        self.inputFormat = inputFormat
        self.width = width
        self.height = height
        self.frameRates = frameRates
    }
}

/// A V4L2 video capture device.
public struct CameraDevice: Sendable, Equatable {
    /// /dev/videoN, to pass to `FFmpegVideoSource(url:)`.
    public var path: String
    /// The driver's name for the card, e.g. "HD Pro Webcam C920".
    public var name: String
    public var driver: String
    public var modes: [CameraMode]

    public init(path: String, name: String, driver: String, modes: [CameraMode]) {
        self.path = path
        self.name = name
        self.driver = driver
        self.modes = modes
    }
}

/// The cameras this machine has, asked of V4L2 directly. Linux only: elsewhere `list()` is empty
/// and `isSupported` is false (FFmpeg's macOS capture, avfoundation, is not wired in).
public enum CameraDevices {
    /// Whether this platform lists cameras at all.
    public static var isSupported: Bool {
        #if os(Linux)
        return true
        #else
        return false
        #endif
    }

    /// Every /dev/videoN that captures video, in device order, with its modes. Device nodes that
    /// only carry metadata, or cannot be opened (busy, no permission), are left out. [] when there
    /// are none, or on a platform without V4L2.
    public static func list() -> [CameraDevice] {
        #if os(Linux)
        return devicePaths().compactMap(describe)
        #else
        return []
        #endif
    }
    #if os(Linux)

    /// /dev/video0, /dev/video1, ... in numeric order.
    static func devicePaths() -> [String] {
        let numbers = DirectoryListing.names(in: "/dev").compactMap { name in
            name.hasPrefix("video") ? Int(name.dropFirst(5)) : nil
        }
        return numbers.sorted().map { "/dev/video\($0)" }
    }

    private static func describe(_ path: String) -> CameraDevice? {
        let descriptor = open(path, O_RDWR | O_NONBLOCK | O_CLOEXEC)
        guard descriptor >= 0 else { return nil }
        defer { Glibc.close(descriptor) }
        var capability = v4l2_capability()
        guard bd_v4l2_querycap(descriptor, &capability) == 0 else { return nil }
        let caps = capabilities(of: capability)
        guard caps & UInt32(V4L2_CAP_VIDEO_CAPTURE) != 0 else { return nil }
        return CameraDevice(path: path, name: text(capability.card), driver: text(capability.driver),
                            modes: modes(of: descriptor))
    }

    /// What this device node can do: its own capabilities when the driver reports them apart
    /// from the whole device's.
    static func capabilities(of capability: v4l2_capability) -> UInt32 {
        capability.capabilities & UInt32(V4L2_CAP_DEVICE_CAPS) != 0 ? capability.device_caps : capability.capabilities
    }

    static func modes(of descriptor: Int32) -> [CameraMode] {
        var modes: [CameraMode] = []
        var format = v4l2_fmtdesc()
        format.type = V4L2_BUF_TYPE_VIDEO_CAPTURE.rawValue
        while bd_v4l2_enum_fmt(descriptor, &format) == 0 {
            let code = fourCC(format.pixelformat)
            for (width, height) in sizes(of: descriptor, pixelFormat: format.pixelformat) {
                modes.append(CameraMode(fourCC: code, inputFormat: inputFormats[code], width: width, height: height,
                                        frameRates: frameRates(of: descriptor, pixelFormat: format.pixelformat,
                                                               width: width, height: height)))
            }
            format.index += 1
        }
        return modes
    }

    private static func sizes(of descriptor: Int32, pixelFormat: UInt32) -> [(Int, Int)] {
        var size = v4l2_frmsizeenum()
        size.pixel_format = pixelFormat
        var sizes: [(Int, Int)] = []
        while bd_v4l2_enum_framesizes(descriptor, &size) == 0 {
            if size.type == V4L2_FRMSIZE_TYPE_DISCRETE.rawValue {
                sizes.append((Int(size.discrete.width), Int(size.discrete.height)))
            } else {
                // Stepwise or continuous: the common sizes inside the range, and its largest.
                let range = size.stepwise
                let stepX = max(1, Int(range.step_width)), stepY = max(1, Int(range.step_height))
                for (width, height) in [(640, 480), (1280, 720), (1920, 1080)]
                where (Int(range.min_width)...Int(range.max_width)).contains(width)
                    && (Int(range.min_height)...Int(range.max_height)).contains(height)
                    && (width - Int(range.min_width)) % stepX == 0 && (height - Int(range.min_height)) % stepY == 0 {
                    sizes.append((width, height))
                }
                sizes.append((Int(range.max_width), Int(range.max_height)))
                break
            }
            size.index += 1
        }
        return sizes
    }

    private static func frameRates(of descriptor: Int32, pixelFormat: UInt32, width: Int, height: Int) -> [Double] {
        var interval = v4l2_frmivalenum()
        interval.pixel_format = pixelFormat
        interval.width = UInt32(width)
        interval.height = UInt32(height)
        var rates: [Double] = []
        func rate(_ fraction: v4l2_fract) -> Double? {
            fraction.numerator > 0 ? Double(fraction.denominator) / Double(fraction.numerator) : nil
        }
        while bd_v4l2_enum_frameintervals(descriptor, &interval) == 0 {
            if interval.type == V4L2_FRMIVAL_TYPE_DISCRETE.rawValue {
                if let value = rate(interval.discrete) { rates.append(value) }
            } else {
                // A continuous range: its fastest (shortest interval) and slowest ends.
                rates += [rate(interval.stepwise.min), rate(interval.stepwise.max)].compactMap { $0 }
                break
            }
            interval.index += 1
        }
        return Array(Set(rates)).sorted(by: >)
    }

    private static func fourCC(_ code: UInt32) -> String {
        let bytes = (0..<4).map { UInt8(truncatingIfNeeded: code >> ($0 * 8)) }
        return String(decoding: bytes, as: UTF8.self).trimmingSuffix(" ")
    }

    static func text<T>(_ field: T) -> String {
        withUnsafeBytes(of: field) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
    }

    #endif

    /// FFmpeg's name for a camera format given either way: as FFmpeg names it ("yuyv422") or as
    /// V4L2 does ("YUYV", any case); nil when Backdrop knows neither.
    public static func inputFormat(named name: String) -> String? {
        if inputFormats.values.contains(name) { return name }
        return inputFormats[name.uppercased()]
    }

    /// Every format name `inputFormat(named:)` takes, FFmpeg's first.
    public static var knownFormatNames: [String] {
        Array(Set(inputFormats.values)).sorted() + inputFormats.keys.sorted()
    }

    /// FFmpeg's input_format names for the V4L2 formats webcams offer.
    private static let inputFormats: [String: String] = [
        "YUYV": "yuyv422", "UYVY": "uyvy422", "MJPG": "mjpeg", "JPEG": "mjpeg", "H264": "h264",
        "NV12": "nv12", "NV21": "nv21", "YU12": "yuv420p", "422P": "yuv422p",
        "RGB3": "rgb24", "BGR3": "bgr24", "GREY": "gray", "Y16": "gray16le", "RGBP": "rgb565le",
    ]
}

private extension String {
    func trimmingSuffix(_ character: Character) -> String {
        var result = self
        while result.last == character { result.removeLast() }
        return result
    }
}

import BackdropCore

/// When a source hands out frames.
public enum Pacing: Sendable, Equatable {
    /// As soon as they are decoded: offline jobs over files.
    case asFastAsPossible
    /// At the stream's own rate, like a camera: each frame waits until its timestamp has passed
    /// on the wall clock, counted from the first frame. Cameras and live network streams arrive
    /// in real time already and are never held back (their clocks drift against the wall clock,
    /// and waiting for them would build up latency).
    case realTime
}

/// How a live source (a camera, or a network stream that cannot seek) comes back after it stops.
/// Files, including files served over HTTP, never reconnect: their end is the end.
public struct ReconnectPolicy: Sendable, Equatable {
    /// Reopen attempts per outage before `read` throws `.streamLost`.
    public var maxAttempts: Int
    /// Wait before the first attempt, in seconds; each failed attempt doubles it up to `maxDelay`.
    public var initialDelay: Double
    public var maxDelay: Double

    public init(maxAttempts: Int = 10, initialDelay: Double = 0.5, maxDelay: Double = 8) {
        self.maxAttempts = max(1, maxAttempts)
        self.initialDelay = max(0, initialDelay)
        self.maxDelay = max(self.initialDelay, maxDelay)
    }

    /// Seconds to wait before attempt `attempt` (from 0).
    public func delay(beforeAttempt attempt: Int) -> Double {
        var delay = initialDelay
        for _ in 0..<min(attempt, 32) where delay < maxDelay { delay *= 2 }
        return min(delay, maxDelay)
    }
}

/// What to ask a V4L2 camera for. Unset fields leave the camera's own choice; a camera that cannot
/// do what is asked fails to open (`CameraDevices.list()` shows what each one can do).
public struct CameraRequest: Sendable, Equatable {
    public var width: Int?
    public var height: Int?
    public var frameRate: Double?
    /// FFmpeg's name for the camera's format, e.g. "mjpeg" or "yuyv422" (`CameraMode.inputFormat`).
    public var pixelFormat: String?

    public init(width: Int? = nil, height: Int? = nil, frameRate: Double? = nil, pixelFormat: String? = nil) {
        self.width = width
        self.height = height
        self.frameRate = frameRate
        self.pixelFormat = pixelFormat
    }
}

/// How `FFmpegVideoSource` opens and reads its input.
public struct SourceOptions: Sendable, Equatable {
    /// The layout of `frame.image`.
    public var outputFormat: PixelFormat
    public var pacing: Pacing
    /// Used only when the input is a camera (/dev/videoN).
    public var camera: CameraRequest
    /// Whether to expose the input's audio (`audioTrack`, `audioHandler`) for pass-through.
    public var keepAudio: Bool
    /// nil: a live source that stops ends the stream (EOF) or throws (error). Only a source that
    /// opened once reconnects; a wrong URL or a missing camera fails `init` straight away.
    public var reconnect: ReconnectPolicy?
    /// Seconds a network input may send nothing, while opening and between packets, before it
    /// fails with `.inputTimedOut` (10 by default), so a dead or silent stream is noticed instead of
    /// hanging. A live source with a reconnect policy that has delivered frames counts it as a
    /// drop-out and reconnects; one that never delivered a frame fails.
    public var networkTimeout: Double
    /// When given, a request on it (the CLI's on Ctrl-C or SIGTERM, an app's own) interrupts a
    /// blocked open, read or reconnect wait: `init` then throws `.interrupted`, and `read` returns false.
    public var stopRequest: StopRequest?
    /// When given, a live source says on it while it reconnects (for a health check on another thread).
    public var status: SourceStatus?
    /// Turn frames upright by the stream's display matrix (a phone's portrait video), so the frames,
    /// `width` and `height` are what a player shows and `frame.rotationDegrees` is 0. Off: frames
    /// come as stored, with the clockwise turn they need in `frame.rotationDegrees`.
    public var autorotate: Bool
    /// Extra libavformat options passed to the input as they are, e.g. ["rtsp_transport": "tcp"]
    /// or ["framerate": "10"] for an image sequence. They override Backdrop's own.
    public var formatOptions: [String: String]
    /// Convert YUV to RGB exactly as `ImageFile.read` does (point sampling, accurate rounding)
    /// instead of libswscale's SIMD path, which is ~10x faster and differs by a grey level or two.
    public var exactColorConversion: Bool

    public init(outputFormat: PixelFormat = .rgb, pacing: Pacing = .asFastAsPossible,
                camera: CameraRequest = .init(), keepAudio: Bool = true, reconnect: ReconnectPolicy? = nil,
                networkTimeout: Double = 10, formatOptions: [String: String] = [:], exactColorConversion: Bool = false,
                stopRequest: StopRequest? = nil, autorotate: Bool = true) {
        self.stopRequest = stopRequest
        self.autorotate = autorotate
        self.exactColorConversion = exactColorConversion
        self.outputFormat = outputFormat
        self.pacing = pacing
        self.camera = camera
        self.keepAudio = keepAudio
        self.reconnect = reconnect
        self.networkTimeout = networkTimeout
        self.formatOptions = formatOptions
    }
}

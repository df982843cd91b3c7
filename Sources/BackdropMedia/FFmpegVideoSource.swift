import BackdropCore
import CFFmpeg
import Dispatch

/// Frames from anything libavformat reads: files (mp4, mov, mkv, webm, avi, y4m, ...), network
/// streams (rtsp, http, udp, rtp, srt), numbered image sequences (frames/%04d.png) and V4L2
/// cameras (/dev/videoN).
///
/// Decodes the best video stream and converts it to `options.outputFormat` into the caller's
/// `frame.image`, turned upright when the stream's display matrix says so (`options.autorotate`: a
/// phone's portrait video comes out portrait, `width`/`height` are the displayed size). One packet,
/// one decoded frame, one libswscale context (and, for a turned stream, one buffer of the stored
/// picture) serve the whole life of the source, so steady-state reading allocates nothing in Swift. Damaged frames are skipped and
/// counted; a truncated file ends, flagged in `statistics.endedEarly` when it held clearly fewer
/// frames than it declares; a live source may reconnect (`options.reconnect`).
public final class FFmpegVideoSource: VideoSource {
    public let name: String
    public private(set) var width: Int
    public private(set) var height: Int
    public private(set) var frameRate: Double?
    /// True for a camera or a live network stream (frames come in real time; it may drop and
    /// come back), false for files and image sequences.
    public var isLive: Bool { live }
    /// How many frames a file says it holds (for progress and ETA); nil when live or unknown.
    public private(set) var estimatedFrameCount: Int?
    public let audioTrack: (any AudioTrackDescription)?
    public var audioHandler: ((any MediaPacket) -> Void)?
    public private(set) var statistics = SourceStatistics()

    private let location: SourceLocation
    private let options: SourceOptions
    /// A camera or a live network stream: paces itself, and may reconnect. (A file served over
    /// HTTP is not live: it can seek, and reopening it would play it again.)
    private let live: Bool
    /// The file states its frame count (nb_frames) instead of leaving it to duration x rate.
    let frameCountIsStated: Bool
    /// nil once the input has ended for good or the source is closed.
    private var decoder: SourceDecoder?
    private var packet: UnsafeMutablePointer<AVPacket>?
    private var picture: UnsafeMutablePointer<AVFrame>?
    private let scaler = SourceScaler()
    private var timeline: SourceTimeline
    private var pacer = SourcePacer()
    /// Clockwise degrees the stored picture must turn to be upright (the display matrix).
    private var rotationDegrees: Int
    /// With `options.autorotate` and a turn to make, the frame as decoded; then turned into the caller's.
    private var stored = PixelImage(width: 0, height: 0, format: .rgb)
    private var frameDuration: Int64
    private var timeBase: AVRational

    /// Opens `url` (a path, a URL, a numbered pattern or /dev/videoN) and its video decoder.
    public init(url: String, options: SourceOptions = .init()) throws(MediaError) {
        _ = FFmpeg.quietLogging
        let location = SourceLocation(url)
        try location.checkPresent()
        let decoder = try Self.open(location, name: url, options: options)
        var packet = av_packet_alloc()
        let picture = av_frame_alloc()
        guard packet != nil, picture != nil else {
            av_packet_free(&packet)
            throw FFmpeg.error("allocating frames for \(url)", bd_averror(ENOMEM))
        }

        let parameters = decoder.demuxer.videoStream.pointee.codecpar.pointee
        try SourceScaler.checkFrameSize(width: Int(parameters.width), height: Int(parameters.height), name: url)
        name = url
        self.location = location
        self.options = options
        self.decoder = decoder
        self.packet = packet
        self.picture = picture
        frameRate = decoder.demuxer.frameRate
        rotationDegrees = decoder.demuxer.rotationDegrees
        // Upright frames have the displayed size: a quarter turn swaps width and height.
        let shown = FrameRotation.turnedSize(width: Int(parameters.width), height: Int(parameters.height),
                                             clockwise: options.autorotate ? rotationDegrees : 0)
        width = shown.width
        height = shown.height
        frameDuration = Self.duration(of: frameRate)
        timeBase = decoder.demuxer.videoStream.pointee.time_base
        live = decoder.demuxer.isLive
        estimatedFrameCount = decoder.demuxer.estimatedFrameCount
        frameCountIsStated = decoder.demuxer.frameCountIsStated
        timeline = SourceTimeline(maximumJump: live ? 5_000_000 : nil)
        audioTrack = decoder.demuxer.audioStream.flatMap {
            AudioTrack(copying: $0.pointee.codecpar, timeBase: $0.pointee.time_base)
        }
        statistics.framesDeclared = estimatedFrameCount
    }

    deinit { close() }

    public func read(into frame: inout VideoFrame) throws(MediaError) -> Bool {
        while true {
            // No lasting local reference to the decoder: a reconnect must free the old input
            // (a camera allows one reader) before it opens the new one.
            guard let packet, let picture,
                  let outcome = decoder?.nextPicture(into: picture, using: packet, damaged: &statistics.damagedFramesSkipped,
                                                     audio: options.keepAudio ? audioHandler : nil)
            else { return false }
            switch outcome {
            case .picture:
                defer { av_frame_unref(picture) }
                try deliver(picture, into: &frame)
                return true
            case .ended:
                try inputEnded(error: decoder?.inputError)
            }
        }
    }

    public func close() {
        decoder = nil
        av_packet_free(&packet)
        av_frame_free(&picture)
    }

    private func deliver(_ decoded: UnsafeMutablePointer<AVFrame>, into frame: inout VideoFrame) throws(MediaError) {
        if options.autorotate && rotationDegrees != 0 {
            try scaler.convert(decoded, into: &stored, as: options.outputFormat, name: name, exact: options.exactColorConversion)
            FrameRotation.turn(stored, clockwise: rotationDegrees, into: &frame.image)
            frame.rotationDegrees = 0
        } else {
            try scaler.convert(decoded, into: &frame.image, as: options.outputFormat, name: name, exact: options.exactColorConversion)
            frame.rotationDegrees = rotationDegrees
        }
        width = frame.image.width
        height = frame.image.height
        let raw = decoded.pointee.best_effort_timestamp
        let microseconds = raw == bd_av_nopts_value() ? nil : av_rescale_q(raw, timeBase, AVRational(num: 1, den: 1_000_000))
        let duration = bd_frame_duration(decoded) > 0
            ? av_rescale_q(bd_frame_duration(decoded), timeBase, AVRational(num: 1, den: 1_000_000)) : frameDuration
        guard let placed = timeline.place(microseconds, step: duration) else {
            throw .unsupported(path: name, reason: "its frame timestamps run past the largest a frame can carry "
                + "(\(Int64.max) microseconds); the file is damaged")
        }
        frame.timestampMicroseconds = placed
        frame.captureUptimeNanoseconds = captureTime(ofStreamTime: microseconds)
        frame.index = statistics.framesDelivered
        statistics.framesDelivered += 1
        if options.pacing == .realTime && !live { pacer.wait(until: frame.timestampMicroseconds) }
    }

    /// When a camera captured the frame, on the pipeline's uptime clock: a V4L2 buffer's timestamp
    /// is CLOCK_MONOTONIC (libavdevice passes it through in microseconds, its time base), shifted
    /// here onto `DispatchTime`'s clock. 0 for other inputs, and for a timestamp more than 10 s from
    /// now (a driver with another clock).
    private func captureTime(ofStreamTime microseconds: Int64?) -> UInt64 {
        guard case .camera = location, let microseconds else { return 0 }
        let (captured, overflow) = microseconds.multipliedReportingOverflow(by: 1_000)
        guard !overflow, captured > 0 else { return 0 }
        let age = SourceClock.nanoseconds() - captured
        guard (0...10_000_000_000).contains(age) else { return 0 }
        let now = DispatchTime.now().uptimeNanoseconds
        return now > UInt64(age) ? now - UInt64(age) : 0
    }

    /// The input stopped. A file's end, or damage at its end, is just the end; a live source
    /// reconnects when its policy allows, and otherwise ends (EOF) or fails (error). A network
    /// input that went silent past its timeout fails, unless it is live, has delivered frames and
    /// may reconnect (then it is a drop-out like any other). A requested stop just ends it.
    private func inputEnded(error: Int32?) throws(MediaError) {
        let interruption = decoder?.demuxer.interrupt.reason ?? .none
        let timeout = decoder?.demuxer.interrupt.timeoutSeconds ?? options.networkTimeout
        decoder = nil
        if let packet { av_packet_unref(packet) }
        switch interruption {
        case .stopped:
            return
        case .timedOut:
            let started = statistics.framesDelivered > 0
            if live, started, let policy = options.reconnect {
                try reconnect(policy, cause: "nothing arrived for \(timeout) s")
                return
            }
            throw .inputTimedOut(url: name, seconds: timeout, stage: started ? "while reading it" : "before its first frame")
        case .none:
            break
        }
        guard live else {
            noteShortfall()
            return
        }
        if let policy = options.reconnect {
            try reconnect(policy, cause: error.map(FFmpeg.message(for:)) ?? "the stream ended")
            return
        }
        guard let error else { return }
        if case .camera = location { throw CameraErrors.gone(name, error) }
        throw .streamLost(path: name, attempts: 0, reason: FFmpeg.message(for: error))
    }

    /// Whether a file that ended gave fewer frames than it declares (`SourceStatistics.fallsShort`).
    private func noteShortfall() {
        guard let declared = statistics.framesDeclared else { return }
        let seen = statistics.framesDelivered + statistics.damagedFramesSkipped
        statistics.endedEarly = SourceStatistics.fallsShort(seen: seen, of: declared, countIsStated: frameCountIsStated)
    }

    /// Reopens a live input with exponential back-off. Timestamps continue after the gap. A stop
    /// requested meanwhile ends the source (`read` returns false).
    private func reconnect(_ policy: ReconnectPolicy, cause: String) throws(MediaError) {
        let lostAt = SourceClock.nanoseconds()
        var reason = cause
        options.status?.beginReconnecting(because: cause)
        var attempts = 0
        var stopped = false
        for attempt in 0..<policy.maxAttempts {
            guard SourceInterrupt.sleep(seconds: policy.delay(beforeAttempt: attempt), stopRequest: options.stopRequest)
            else { stopped = true; break }
            attempts = attempt + 1
            do throws(MediaError) {
                decoder = try Self.open(location, name: name, options: options)
                break
            } catch {
                if case .interrupted = error { stopped = true; break }
                reason = error.description
            }
        }
        if stopped {
            options.status?.gaveUp(because: "a stop was requested")
            return
        }
        guard let decoder else {
            options.status?.gaveUp(because: reason)
            throw .streamLost(path: name, attempts: policy.maxAttempts, reason: reason)
        }
        let gap = (SourceClock.nanoseconds() - lostAt) / 1_000
        statistics.reconnects += 1
        statistics.gapMicroseconds += gap
        options.status?.reconnected(afterSeconds: Double(gap) / 1e6, attempt: attempts)
        frameRate = decoder.demuxer.frameRate ?? frameRate
        frameDuration = Self.duration(of: frameRate)
        rotationDegrees = decoder.demuxer.rotationDegrees
        timeBase = decoder.demuxer.videoStream.pointee.time_base
        timeline.restart(after: gap, step: frameDuration)
    }

    private static func open(_ location: SourceLocation, name: String, options: SourceOptions) throws(MediaError) -> SourceDecoder {
        let demuxer = try SourceDemuxer(location, name: name, options: options)
        return try SourceDecoder(demuxer, name: name)
    }

    /// Microseconds per frame at `rate`; 30 fps when the stream states no rate.
    private static func duration(of rate: Double?) -> Int64 {
        guard let rate, rate > 0, rate.isFinite else { return 33_333 }
        return max(1, Int64((1_000_000 / rate).rounded()))
    }
}

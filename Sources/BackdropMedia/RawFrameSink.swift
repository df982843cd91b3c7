import BackdropCore
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Writes frames as raw packed pixels, one after another with nothing between them, to a pipe,
/// standard output, a file or any file descriptor: the input other tools take as
/// `-f rawvideo -pixel_format rgb24 -video_size WxH -framerate F -` (ffplay, ffmpeg, GStreamer's fdsrc).
///
/// The first frame fixes the size (later frames must match); frames in another format are converted
/// to `format` (RGB to gray by BT.601 luma, alpha dropped or set opaque). A reader that goes away
/// gives `.writeFailed` ("the reader closed the pipe"), not a SIGPIPE that kills the process.
public final class RawFrameSink: VideoSink {
    public let name: String
    /// The layout written: "rgb24", "rgba" or "gray" to the reader.
    public let format: PixelFormat
    /// Set by the first frame.
    public private(set) var width = 0
    public private(set) var height = 0
    public private(set) var framesWritten = 0

    private var descriptor: Int32
    private let ownsDescriptor: Bool
    private let scaler = SinkScaler()
    /// Conversion output, allocated by the first frame that needs converting and reused after.
    private var converted: [UInt8] = []

    /// `path` "-" is standard output; any other path is created or truncated (a FIFO: opening waits
    /// for its reader).
    public convenience init(path: String, format: PixelFormat = .rgb) throws(MediaError) {
        if path == "-" {
            self.init(fileDescriptor: STDOUT_FILENO, format: format, name: "standard output", closeWhenFinished: false)
            return
        }
        let descriptor = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o666)
        if descriptor < 0 {
            throw .writeFailed(path: path, reason: "cannot open it for writing (\(String(cString: strerror(errno))))")
        }
        self.init(fileDescriptor: descriptor, format: format, name: path, closeWhenFinished: true)
    }

    /// Writes to an open descriptor (a pipe's write end, a socket); `closeWhenFinished` hands it over.
    public init(fileDescriptor: Int32, format: PixelFormat = .rgb, name: String? = nil, closeWhenFinished: Bool = false) {
        descriptor = fileDescriptor
        self.format = format
        self.name = name ?? "file descriptor \(fileDescriptor)"
        ownsDescriptor = closeWhenFinished
    }

    deinit {
        if ownsDescriptor && descriptor >= 0 { close(descriptor) }
    }

    /// The arguments that make ffplay or ffmpeg read this output (size known after the first frame).
    public func readerArguments(frameRate: Double) -> [String] {
        let name = switch format { case .rgb: "rgb24"; case .rgba: "rgba"; case .gray: "gray" }
        return ["-f", "rawvideo", "-pixel_format", name, "-video_size", "\(width)x\(height)", "-framerate", "\(frameRate)", "-i", "-"]
    }

    public func write(_ frame: VideoFrame) throws(MediaError) {
        guard descriptor >= 0 else { throw .writeFailed(path: name, reason: "a frame was written after finish()") }
        let image = frame.image
        if let problem = image.layoutProblem { throw .invalidImage(path: name, reason: problem) }
        if framesWritten == 0 && width == 0 {
            width = image.width
            height = image.height
        }
        guard image.width == width, image.height == height else {
            throw .invalidImage(path: name, reason: "the frame is \(image.width)x\(image.height) but the first was "
                + "\(width)x\(height); a raw stream has one size")
        }
        // Array's closures rethrow untyped errors: carry MediaError out as a value.
        let failure: MediaError?
        if image.format == format {
            failure = image.pixels.withUnsafeBytes { bytes in send(bytes) }
        } else {
            let count = width * height * format.bytesPerPixel
            if converted.count != count { converted = [UInt8](repeating: 0, count: count) }
            let scaler = self.scaler, format = self.format, name = self.name
            failure = converted.withUnsafeMutableBytes { output -> MediaError? in
                do throws(MediaError) { try scaler.convert(image, into: output, as: format, name: name) } catch { return error }
                return nil
            } ?? converted.withUnsafeBytes { bytes in send(bytes) }
        }
        if let failure { throw failure }
        framesWritten += 1
    }

    /// Closes the descriptor if the sink owns it (the reader then sees end of file). Idempotent.
    public func finish() throws(MediaError) {
        guard descriptor >= 0 else { return }
        let owned = ownsDescriptor
        let closing = descriptor
        descriptor = -1
        if owned && close(closing) != 0 && errno != EINTR {
            throw .writeFailed(path: name, reason: "cannot finish writing it (\(String(cString: strerror(errno))))")
        }
    }

    /// Writes all of `bytes`, through short writes, EINTR and a non-blocking descriptor's EAGAIN;
    /// returns the failure, if any.
    private func send(_ bytes: UnsafeRawBufferPointer) -> MediaError? {
        var offset = 0
        while offset < bytes.count {
            let written = BrokenPipe.writeWithoutSignal(descriptor, bytes.baseAddress! + offset, bytes.count - offset)
            if written >= 0 {
                offset += written
                continue
            }
            switch errno {
            case EINTR:
                continue
            case EAGAIN:
                var ready = pollfd(fd: descriptor, events: Int16(POLLOUT), revents: 0)
                _ = poll(&ready, 1, -1)
            case EPIPE:
                return .writeFailed(path: name, reason: "the reader closed the pipe after \(framesWritten) frames")
            case ENOSPC, EDQUOT:
                return .writeFailed(path: name, reason: "disk full after \(framesWritten) frames (\(String(cString: strerror(errno))))")
            default:
                return .writeFailed(path: name, reason: "\(String(cString: strerror(errno))) after \(framesWritten) frames")
            }
        }
        return nil
    }
}

/// A write that reports a closed pipe as EPIPE without the SIGPIPE that would end the process,
/// and without changing the process's signal handling: SIGPIPE is blocked in this thread for the
/// write, and one it raised is taken off the thread's pending set before the mask is restored.
enum BrokenPipe {
    static func writeWithoutSignal(_ descriptor: Int32, _ bytes: UnsafeRawPointer, _ count: Int) -> Int {
        var pipeSignal = sigset_t()
        sigemptyset(&pipeSignal)
        sigaddset(&pipeSignal, SIGPIPE)
        var previous = sigset_t()
        pthread_sigmask(SIG_BLOCK, &pipeSignal, &previous)
        let wasBlocked = sigismember(&previous, SIGPIPE) == 1
        let written = write(descriptor, bytes, count)
        let writeError = errno
        if written < 0 && writeError == EPIPE && !wasBlocked {
            var none = timespec(tv_sec: 0, tv_nsec: 0)
            while sigtimedwait(&pipeSignal, nil, &none) < 0 && errno == EINTR {}
        }
        if !wasBlocked { pthread_sigmask(SIG_SETMASK, &previous, nil) }
        errno = writeError
        return written
    }
}

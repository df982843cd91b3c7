import BackdropCore
import BackdropMedia
import BackdropPipeline
import FuzzSupport

/// (a) A video file, as `backdrop run --input FILE --effect none --no-faces` reads it: the bytes go
/// to a temporary file, `FFmpegVideoSource` opens it and every frame is read, and the first
/// `pipelineFrames` of them go through a `Pipeline` (offline, effect none, faces off, a sink that
/// discards). A thrown error is a pass; a crash, hang or leak is a finding.
///
/// A Pipeline is built per input that opens (it loads the segmenter: tens of milliseconds), so
/// inputs FFmpeg rejects stay fast and the MediaPipe part is kept to a few frames.
let pipelineFrames = 2
/// A fuzzed file can claim any number of tiny frames; past this many the input counts as read.
let maximumFrames = 2_000

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzVideoSource(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let path = FuzzInput.write(data, size, name: "input")
    let source: FFmpegVideoSource
    do {
        source = try FFmpegVideoSource(url: path)
    } catch {
        _ = error.description
        return 0
    }
    let limited = FirstFrames(source, pipelineFrames: pipelineFrames, maximumFrames: maximumFrames)
    do {
        let configuration = PipelineConfiguration(
            mode: .offline, settings: PipelineSettings(effect: .none, smoothing: true, featherRadius: 2, faces: false),
            processSize: nil, concurrentInference: false, memoryGuard: .init(growthBudgetBytes: nil, maxFramesPerInstance: nil),
            statsInterval: .seconds(3_600), handoffCapacity: 1)
        let pipeline = try Pipeline(source: limited, sinks: [Discard()], configuration: configuration, metricsFactory: nil)
        try pipeline.runBlocking()
    } catch {
        _ = String(describing: error)
    }
    precondition(limited.delivered <= pipelineFrames)
    return 0
}

/// Hands the pipeline the first frames of `source`, then reads every remaining frame itself
/// (audio no longer passed on) and ends.
final class FirstFrames: VideoSource {
    private let source: FFmpegVideoSource
    private let pipelineFrames: Int
    private let maximumFrames: Int
    private(set) var delivered = 0
    private var scratch = VideoFrame(image: PixelImage(width: 0, height: 0, format: .rgb))

    init(_ source: FFmpegVideoSource, pipelineFrames: Int, maximumFrames: Int) {
        self.source = source
        self.pipelineFrames = pipelineFrames
        self.maximumFrames = maximumFrames
    }

    var name: String { source.name }
    var width: Int { source.width }
    var height: Int { source.height }
    var frameRate: Double? { source.frameRate }
    var audioTrack: (any AudioTrackDescription)? { source.audioTrack }
    var audioHandler: ((any MediaPacket) -> Void)? {
        get { source.audioHandler }
        set { source.audioHandler = newValue }
    }
    var statistics: SourceStatistics { source.statistics }

    func read(into frame: inout VideoFrame) throws(MediaError) -> Bool {
        if delivered < pipelineFrames, try source.read(into: &frame) {
            delivered += 1
            return true
        }
        source.audioHandler = nil
        var count = delivered
        while count < maximumFrames, try source.read(into: &scratch) {
            precondition(scratch.image.pixels.count == scratch.image.width * scratch.image.height * 3)
            count += 1
        }
        return false
    }

    func close() { source.close() }
}

final class Discard: VideoSink {
    let name = "discard"
    func write(_ frame: VideoFrame) throws(MediaError) {}
    func finish() throws(MediaError) {}
}

@main
enum Main {
    static func main() { FuzzMain.run(fuzzVideoSource) }
}

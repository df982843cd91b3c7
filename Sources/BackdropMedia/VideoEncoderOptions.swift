/// How a video sink compresses frames.
public enum VideoCodec: Sendable, Equatable {
    /// H.264 (libx264) in 4:2:0 YUV, which every player, browser and editor reads. `crf` is x264's
    /// constant quality (0...51, lower is better; 18 looks transparent, 23 is x264's default),
    /// `preset` its speed/size trade-off ("ultrafast" ... "veryslow").
    case h264(crf: Int = 23, preset: String = "veryfast")
    /// FFV1: lossless, every pixel decodes back exactly (about 10x the size of H.264). Matroska only.
    case lossless

    /// The default: H.264 at crf 23, preset veryfast.
    public static let standard = VideoCodec.h264(crf: 23, preset: "veryfast")
}

import ArgumentParser
import BackdropCore
import BackdropMedia

/// The synthetic scene's first frame, the input of the per-step speed commands.
func syntheticSceneFrame(width: Int = 1280, height: Int = 720) throws -> PixelImage {
    var frame = VideoFrame(image: PixelImage(width: width, height: height, format: .rgb))
    let scene = try SyntheticSource(width: width, height: height, frameRate: 30, frameCount: 1)
    guard try scene.read(into: &frame) else { throw ValidationError("the synthetic scene gave no frame") }
    return frame.image
}

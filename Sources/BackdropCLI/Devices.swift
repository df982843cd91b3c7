import ArgumentParser
import BackdropMedia

struct Devices: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "List the cameras (/dev/video*) and the modes each offers.",
        discussion: "Use a camera with `backdrop run --input /dev/videoN --camera-size WxH`.")

    func run() throws {
        let cameras = CameraDevices.list()
        if cameras.isEmpty {
            print("no cameras found (no /dev/video* capture devices). Plug one in, or check `ls -l /dev/video*` and your permissions.")
            return
        }
        for camera in cameras {
            print("\(camera.path): \(camera.name) (\(camera.driver))")
            for mode in camera.modes {
                let rates = mode.frameRates.map { String(format: "%g", $0) }.joined(separator: ", ")
                print("  \(mode.fourCC) \(mode.width)x\(mode.height)" + (rates.isEmpty ? "" : " @ \(rates) fps"))
            }
        }
    }
}

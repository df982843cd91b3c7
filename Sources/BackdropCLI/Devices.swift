import ArgumentParser
import BackdropMedia

struct Devices: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "List the cameras and virtual cameras (/dev/video*) and the modes each offers.",
        discussion: """
            Read a camera with `backdrop run --input /dev/videoN --camera-size WxH --camera-fps FPS \
            --camera-format FORMAT`, using a mode listed here. Write to a virtual camera (a v4l2loopback \
            device) with `--output /dev/videoN`; call apps then list it as a webcam.
            """)

    func run() throws {
        let cameras = CameraDevices.list()
        let virtualCameras = VirtualCameraDevices.list()
        if cameras.isEmpty {
            print("no cameras found (no /dev/video* capture devices). Plug one in, or check `ls -l /dev/video*` and your permissions.")
        }
        for camera in cameras {
            print("\(camera.path): \(camera.name) (\(camera.driver))")
            for mode in camera.modes { print("  \(Self.describe(mode))") }
        }
        print("")
        if virtualCameras.isEmpty {
            print("no virtual cameras (v4l2loopback devices). Create one with `\(VirtualCameraSink.setupHint)`.")
        } else {
            print("virtual cameras (v4l2loopback), for --output:")
        }
        for device in virtualCameras {
            let state = device.mode.map { "in use: a program writes \(Self.describe($0)) to it" } ?? "idle: nothing writes to it"
            print("\(device.path): \(device.name) (\(state))")
        }
    }

    private static func describe(_ mode: CameraMode) -> String {
        let rates = mode.frameRates.map { String(format: "%g", $0) }.joined(separator: ", ")
        let format = mode.inputFormat.map { " (\($0))" } ?? ""
        return "\(mode.fourCC)\(format) \(mode.width)x\(mode.height)" + (rates.isEmpty ? "" : " @ \(rates) fps")
    }
}

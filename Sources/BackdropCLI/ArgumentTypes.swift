import ArgumentParser
import Foundation
import BackdropEffects
import BackdropMediaPipe
import BackdropStudio

/// `WIDTHxHEIGHT`, e.g. 640x360. Parsing checks the form; each command's `validate()` checks the
/// sides against its own limits (a processing size and a camera size allow different ones).
struct PixelSize: ExpressibleByArgument, Equatable, CustomStringConvertible {
    var width: Int
    var height: Int

    init(width: Int, height: Int) {
        self.width = width
        self.height = height
    }

    init?(argument: String) {
        let parts = argument.lowercased().split(separator: "x", omittingEmptySubsequences: false).map { Int($0) }
        guard parts.count == 2, let width = parts[0], let height = parts[1] else { return nil }
        self.init(width: width, height: height)
    }

    var description: String { "\(width)x\(height)" }
}

/// `--process-size`: `full`, or a size.
enum ProcessSizeChoice: ExpressibleByArgument, Equatable, CustomStringConvertible {
    case full
    case size(PixelSize)

    init?(argument: String) {
        if argument.lowercased() == "full" {
            self = .full
        } else if let size = PixelSize(argument: argument) {
            self = .size(size)
        } else {
            return nil
        }
    }

    var description: String {
        switch self {
        case .full: "full"
        case .size(let size): size.description
        }
    }
}

/// A colour as `RRGGBB` in hex, e.g. 1E90FF.
struct RGBColor: ExpressibleByArgument, Equatable, CustomStringConvertible {
    var red: UInt8
    var green: UInt8
    var blue: UInt8

    init(red: UInt8, green: UInt8, blue: UInt8) {
        self.red = red
        self.green = green
        self.blue = blue
    }

    init?(argument: String) {
        guard let rgb = RGBHex.parse(argument) else { return nil }
        self.init(red: rgb.red, green: rgb.green, blue: rgb.blue)
    }

    var description: String { RGBHex.format(red: red, green: green, blue: blue) }
}

/// `--hide-faces`: off, or how faces are hidden.
enum HideFacesChoice: String, ExpressibleByArgument, CaseIterable {
    case off, blur, pixelate

    /// The style, or nil for off.
    var style: FaceHiding.Style? {
        switch self {
        case .off: nil
        case .blur: .blur
        case .pixelate: .pixelate
        }
    }
}

/// `--models`, declared once for every command that loads models.
struct ModelOptions: ParsableArguments {
    @Option(help: "Folder holding selfie_segmenter.tflite and face_landmarker.task (default: $BACKDROP_MODELS_DIR, else the per-user install, else the checkout's models/).")
    var models: String?

    /// The folder the options name, or the default lookup.
    var directory: ModelDirectory { ModelDirectory(explicit: models) }
}

import CMediaPipe
import Foundation

/// Fills MediaPipe's base options for a model file and calls `body` while the C strings live.
///
/// Every string field is set (empty where unused): MediaPipe's C API dereferences them, and a
/// NULL crashed in strlen.
func withBaseOptions<T>(modelPath: String, _ body: (MpBaseOptions) -> T) -> T {
    modelPath.withCString { path in
        "".withCString { empty in
            var options = MpBaseOptions()
            options.model_asset_buffer = nil
            options.model_asset_buffer_count = 0
            options.model_asset_path = path
            options.file_descriptor = -1
            options.delegate = Int32(MP_DELEGATE_CPU)
            options.host_environment = 0
            options.host_system = Int32(MP_HOST_SYSTEM_LINUX)
            options.host_version = empty
            options.ca_bundle_path = empty
            options.app_id = empty
            options.app_version = empty
            return body(options)
        }
    }
}

/// Checks that a model file exists and is readable before MediaPipe sees it, so that the error
/// names the path rather than MediaPipe's internal wording.
func checkModelFile(_ path: String) -> MediaPipeError? {
    var isDirectory: ObjCBool = false
    guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), !isDirectory.boolValue,
          FileManager.default.isReadableFile(atPath: path)
    else { return .modelNotFound(path: path) }
    return nil
}

/// MediaPipe's status codes (absl::StatusCode), as returned by every C entry point.
public enum MediaPipeStatus: Int32, Sendable, CustomStringConvertible {
    case ok = 0, cancelled, unknown, invalidArgument, deadlineExceeded, notFound, alreadyExists,
         permissionDenied, resourceExhausted, failedPrecondition, aborted, outOfRange, unimplemented,
         `internal`, unavailable, dataLoss, unauthenticated

    /// absl's name for the code, e.g. INVALID_ARGUMENT.
    public var description: String {
        ["OK", "CANCELLED", "UNKNOWN", "INVALID_ARGUMENT", "DEADLINE_EXCEEDED", "NOT_FOUND", "ALREADY_EXISTS",
         "PERMISSION_DENIED", "RESOURCE_EXHAUSTED", "FAILED_PRECONDITION", "ABORTED", "OUT_OF_RANGE",
         "UNIMPLEMENTED", "INTERNAL", "UNAVAILABLE", "DATA_LOSS", "UNAUTHENTICATED"][Int(rawValue)]
    }
}

/// Everything that can go wrong in the MediaPipe binding. Each case's description names the cause
/// and what to do.
public enum MediaPipeError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The runtime (`libmediapipe.so`, `.dylib` on macOS) was not found at any of the paths tried
    /// (never empty); `setupCommand` installs it (`backdrop install`, or scripts/setup.sh in a checkout).
    case runtimeNotFound(tried: [String], setupCommand: String)
    /// The library was found but could not be loaded (missing libEGL/libGLESv2, wrong version).
    case runtimeLoadFailed(path: String, reason: String)
    /// The model file does not exist or cannot be read.
    case modelNotFound(path: String)
    /// MediaPipe refused the model: truncated, corrupt, or a model for another task.
    case modelRejected(path: String, task: String, message: String)
    /// The image cannot be processed (zero size, pixel count that does not match its size).
    case invalidImage(String)
    /// VIDEO and LIVE_STREAM modes need strictly increasing timestamps.
    case timestampNotIncreasing(previous: Int64, given: Int64)
    /// A method for one running mode was called on a task created for another.
    case wrongRunningMode(operation: String, taskMode: RunningMode)
    /// Invalid options, named.
    case invalidOptions(String)
    /// Too many live-stream task instances are open at once.
    case liveStreamSlotsExhausted(limit: Int)
    /// The task was closed.
    case closed(task: String)
    /// Any other MediaPipe failure, with MediaPipe's own message.
    case mediapipe(status: MediaPipeStatus, operation: String, message: String)

    public var description: String {
        switch self {
        case let .runtimeNotFound(tried, setup):
            let fix = setup == InstallCommand.userInstall
                ? "Run `\(setup)` to install it (with the models) for this user"
                : "Run \(setup) to install it (or `\(InstallCommand.userInstall)` for this user)"
            return "MediaPipe runtime (\(MediaPipeRuntime.libraryFileName)) not found. Tried: \(tried.joined(separator: ", ")). "
                + "\(fix), or set \(MediaPipeRuntime.pathVariable) to its path."
        case let .runtimeLoadFailed(path, reason):
            // dlopen's words for a file that is no library at all, as opposed to one missing its dependencies.
            let notALibrary = ["invalid ELF header", "file too short", "not a dynamic executable", "wrong ELF class"]
                .contains { reason.contains($0) }
            return "could not load the MediaPipe runtime at \(path): \(reason). " + (notALibrary
                ? "That file is not a shared library: point BACKDROP_MEDIAPIPE_LIB at mediapipe/tasks/c/\(MediaPipeRuntime.libraryFileName) "
                    + "from the mediapipe==1.2.2 wheel, or unset it (`backdrop install` installs a verified copy)."
                : "On Linux it needs Debian's libegl1 and libgles2 (scripts/setup.sh installs them).")
        case let .modelNotFound(path):
            return "model file not found or unreadable: \(path). Run `\(InstallCommand.userInstall)` to install the models "
                + "for this user (or scripts/setup.sh in a checkout), set \(ModelDirectory.folderVariable) to their folder, "
                + "or pass the right path."
        case let .modelRejected(path, task, message):
            return "MediaPipe rejected the model \(path) for the \(task): \(message). "
                + "The file may be truncated, corrupt, or a model for another task; scripts/setup.sh re-verifies the models."
        case let .invalidImage(reason):
            return "invalid image: \(reason)"
        case let .timestampNotIncreasing(previous, given):
            return "timestamps must increase strictly in video and live-stream mode: got \(given) ms after \(previous) ms"
        case let .wrongRunningMode(operation, mode):
            return "\(operation) cannot be used on a task created in \(mode) mode"
        case let .invalidOptions(reason):
            return "invalid options: \(reason)"
        case let .liveStreamSlotsExhausted(limit):
            return "at most \(limit) live-stream tasks of one kind can be open at once; close one first"
        case let .closed(task):
            return "the \(task) was closed"
        case let .mediapipe(status, operation, message):
            return "MediaPipe \(operation) failed (\(status)): \(message)"
        }
    }
}

import BackdropCore
import Foundation
import Hummingbird
import Synchronization

/// One thread at background priority that runs the studio's request handlers (as a Swift
/// `TaskExecutor`), so that encoding state and metrics for a client, however fast it asks, takes
/// only the CPU the pipeline's stage threads leave. Jobs run in the order they come.
final class BackgroundExecutor: TaskExecutor, Sendable {
    private let jobs = Mutex<[UnownedJob]>([])
    private let available = DispatchSemaphore(value: 0)
    private let stopped = Atomic<Bool>(false)

    init(name: String) {
        let thread = Thread { [self] in
            CurrentThread.setName(name)
            CurrentThread.lowerPriority()
            runJobs()
        }
        thread.start()
    }

    func enqueue(_ job: consuming ExecutorJob) {
        let unowned = UnownedJob(job)
        jobs.withLock { $0.append(unowned) }
        available.signal()
    }

    /// Ends the thread once the jobs queued so far have run.
    func shutdown() {
        stopped.store(true, ordering: .relaxed)
        available.signal()
    }

    private func runJobs() {
        while true {
            available.wait()
            let batch = jobs.withLock { jobs in
                defer { jobs.removeAll(keepingCapacity: true) }
                return jobs
            }
            for job in batch { job.runSynchronously(on: asUnownedTaskExecutor()) }
            if batch.isEmpty && stopped.load(ordering: .relaxed) { return }
        }
    }
}

/// Runs every request's handling on the studio's background-priority thread (``BackgroundExecutor``).
struct BackgroundExecution<Context: RequestContext>: RouterMiddleware {
    let executor: BackgroundExecutor

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        try await withTaskExecutorPreference(executor) { try await next(request, context) }
    }
}

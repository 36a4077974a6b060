// A short-lived thread that joins a network namespace (or makes a new one) for one job and then
// ends. The network namespace belongs to a thread, not a process, so this way no thread the
// rest of the program runs on (Swift concurrency's pool, NIO's event loops) ever changes
// namespace, and no child process has to be forked (and reaped) for it.
import CSkiffSystem
import Glibc

enum NamespaceThread {
    enum Target {
        /// A new, empty network namespace, made by the thread's unshare.
        case newNamespace
        /// The network namespace open at this descriptor.
        case namespace(fd: Int32)
    }

    /// Runs `body` on a new thread inside `target`, waits for it and returns what it returned.
    /// The thread exits right after `body`, taking its namespace membership with it.
    static func run<T>(in target: Target, _ body: () throws -> T) throws -> T {
        var outcome: Result<T, Error>?
        try withoutActuallyEscaping(body) { body in
            let job = Job {
                outcome = Result {
                    try enter(target)
                    return try body()
                }
            }
            let context = Unmanaged.passRetained(job).toOpaque()
            var thread = pthread_t()
            let created = pthread_create(&thread, nil, { context in
                Unmanaged<Job>.fromOpaque(context!).takeRetainedValue().work()
                return nil
            }, context)
            if created != 0 {
                Unmanaged<Job>.fromOpaque(context).release()
                throw PodNetworkError.system("start a thread for a network namespace", errno: created)
            }
            pthread_join(thread, nil)
        }
        return try outcome!.get()
    }

    private static func enter(_ target: Target) throws {
        switch target {
        case .newNamespace:
            let rc = sk_unshare(Int32(SK_CLONE_NEWNET))
            if rc < 0 { throw PodNetworkError.system("unshare a new network namespace", errno: -rc) }
        case .namespace(let fd):
            let rc = sk_setns(fd, Int32(SK_CLONE_NEWNET))
            if rc < 0 { throw PodNetworkError.system("join the network namespace", errno: -rc) }
        }
    }

    /// The thread's work, handed over as its one pointer argument.
    private final class Job {
        let work: () -> Void
        init(_ work: @escaping () -> Void) { self.work = work }
    }
}

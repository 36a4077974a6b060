// Gives the heap's free pages back to the kernel once the daemon goes quiet. glibc keeps what a
// burst of calls freed (decoded requests, specs, a pull's buffers) for later use, so without this
// a long-lived daemon stays as large as its busiest second.
import CSkiffSystem
import Dispatch
import Foundation

final class IdleTrim: @unchecked Sendable {
    private let quiet: Double
    private let lock = NSLock()
    private var lastCall = DispatchTime.now()
    private var scheduled = false

    /// Trims once no call has finished for `quiet` seconds.
    init(quiet: Double = 1) { self.quiet = quiet }

    func callFinished() {
        let schedule = lock.withLock {
            lastCall = .now()
            defer { scheduled = true }
            return !scheduled
        }
        if schedule { wake(after: quiet) }
    }

    private func wake(after seconds: Double) {
        DispatchQueue.global().asyncAfter(deadline: .now() + seconds) { [self] in
            let remaining: Double? = lock.withLock {
                let idle = Double(DispatchTime.now().uptimeNanoseconds - lastCall.uptimeNanoseconds) / 1e9
                if idle < quiet { return quiet - idle }
                scheduled = false
                return nil
            }
            if let remaining { wake(after: remaining) } else { _ = sk_malloc_trim() }
        }
    }
}

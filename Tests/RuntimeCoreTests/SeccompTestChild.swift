// Runs test code in a forked child, for what cannot be undone in the test process: loading a
// seccomp filter, dropping capabilities. The parent judges by exit status and reported text.
import Glibc
@testable import RuntimeCore

struct ChildOutcome {
    var exitCode: Int32?   // nil when killed by a signal
    var signal: Int32?
    var output: String     // what the child wrote with `report`
}

/// Forks; the child runs `body` and exits with its result (100 if it threw, after reporting the
/// error). Cores are disabled in the child: seccomp kill actions would otherwise dump one.
func runInChild(_ body: (_ report: (String) -> Void) throws -> Int32) -> ChildOutcome {
    var fds: [Int32] = [0, 0]
    precondition(pipe(&fds) == 0)
    fflush(nil)
    let pid = fork()
    precondition(pid >= 0, "fork failed")
    if pid == 0 {
        close(fds[0])
        var noCore = rlimit(rlim_cur: 0, rlim_max: 0)
        setrlimit(__rlimit_resource_t(RLIMIT_CORE.rawValue), &noCore)
        let out = fds[1]
        let report = { (text: String) in
            var bytes = Array(text.utf8)
            bytes.append(UInt8(ascii: "\n"))
            _ = bytes.withUnsafeBytes { write(out, $0.baseAddress, $0.count) }
        }
        do { _exit(try body(report)) } catch {
            report("error: \(error)")
            _exit(100)
        }
    }
    close(fds[1])
    var output: [UInt8] = []
    var buf = [UInt8](repeating: 0, count: 4096)
    while true {
        let n = buf.withUnsafeMutableBytes { read(fds[0], $0.baseAddress, $0.count) }
        if n < 0 && errno == EINTR { continue }
        if n <= 0 { break }
        output += buf[0..<n]
    }
    close(fds[0])
    var status: Int32 = 0
    while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
    let termsig = status & 0x7f
    return ChildOutcome(exitCode: termsig == 0 ? (status >> 8) & 0xff : nil,
                        signal: termsig == 0 ? nil : termsig,
                        output: String(decoding: output, as: UTF8.self))
}

/// The value of a line such as "CapBnd:\t000001fffeffffff" in /proc/self/status.
func procStatusField(_ name: String) -> String? {
    guard let text = FileIO.readIfExists("/proc/self/status") else { return nil }
    for line in text.split(separator: "\n") where line.hasPrefix(name + ":") {
        return String(line.dropFirst(name.count + 1).filter { !$0.isWhitespace })
    }
    return nil
}

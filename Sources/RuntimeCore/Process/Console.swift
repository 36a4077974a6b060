// process.terminal: a pseudo-terminal from the container's own devpts. The master goes to
// whoever holds the console socket; the slave becomes the process's stdio and /dev/console.
import CSkiffSystem
import Glibc
import OCISpec

enum Console {
    /// Called in the container after pivot_root. Returns nothing: stdio now is the terminal.
    static func setup(sendMasterTo socket: Int32, size: ConsoleSize?, uid: UInt32, gid: UInt32) throws {
        let master = try checkNeg(sk_openpt(), "terminal: open /dev/ptmx")
        defer { close(master) }
        try checkNeg(sk_unlockpt(master), "terminal: unlockpt")
        var name = [CChar](repeating: 0, count: 128)
        try checkNeg(sk_ptsname(master, &name, name.count), "terminal: ptsname")
        let slavePath = String(cString: name)
        let slave = try check(open(slavePath, O_RDWR | O_NOCTTY | O_CLOEXEC), "terminal: open \(slavePath)")
        defer { close(slave) }
        _ = fchown(slave, uid, gid)
        if let size { _ = sk_set_winsize(slave, UInt16(size.height), UInt16(size.width)) }
        try checkNeg(sk_send_fd(socket, master), "terminal: send the console to the console socket")
        try checkNeg(sk_set_ctty(slave), "terminal: make it the controlling terminal")
        for target: Int32 in 0...2 { try check(dup2(slave, target), "terminal: dup2") }
        try mountDevConsole(slavePath)
    }

    private static func mountDevConsole(_ slavePath: String) throws {
        let fd = open("/dev/console", O_CREAT | O_WRONLY | O_NOFOLLOW | O_CLOEXEC, 0o600)
        if fd >= 0 { close(fd) }
        try check(mount(slavePath, "/dev/console", nil, UInt(MS_BIND), nil), "terminal: bind \(slavePath) on /dev/console")
    }
}

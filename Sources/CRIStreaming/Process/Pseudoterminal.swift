// A new pseudo-terminal pair for a command run with a tty, and terminal window sizes.
import CSkiffSystem
import Glibc

public enum Pseudoterminal {
    /// A new master (close-on-exec) and the path of its slave, unlocked and ready to open.
    public static func open() throws -> (master: Int32, slavePath: String) {
        let master = sk_openpt()
        guard master >= 0 else { throw StreamingError("open a pseudo-terminal: \(String(cString: strerror(-master)))") }
        var name = [CChar](repeating: 0, count: 128)
        let rc = sk_unlockpt(master) < 0 ? -errno : sk_ptsname(master, &name, name.count)
        guard rc == 0 else {
            close(master)
            throw StreamingError("prepare the pseudo-terminal's slave: \(String(cString: strerror(-rc)))")
        }
        return (master, String(decoding: name.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self))
    }

    /// Sets the window size of the terminal open at `fd` (master or slave); errors are ignored,
    /// as a resize of a terminal that is gone does not matter.
    public static func setSize(_ fd: Int32, _ size: TerminalSize) {
        _ = sk_set_winsize(fd, size.height, size.width)
    }

    /// The window size of the terminal open at `fd`; nil when it is not a terminal.
    public static func size(of fd: Int32) -> TerminalSize? {
        var rows: UInt16 = 0
        var columns: UInt16 = 0
        guard sk_get_winsize(fd, &rows, &columns) == 0 else { return nil }
        return TerminalSize(width: columns, height: rows)
    }
}

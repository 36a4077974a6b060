// The pause container's rootfs: a directory holding nothing but the static skiff-pause binary
// (and the mount points the runtime mounts on), installed under the daemon's root at start.
import CRIAPI
import Glibc
import RuntimeCore

enum PauseRootfs {
    /// Copies `pause` into <root>/pause/rootfs/pause when it differs; returns the rootfs path.
    static func install(pause: String, under root: String) throws -> String {
        let rootfs = root + "/pause/rootfs"
        for dir in ["", "/proc", "/dev", "/sys", "/etc"] { try FileIO.mkdirAll(rootfs + dir) }
        guard access(pause, R_OK) == 0 else {
            throw CRIError.failedPrecondition("the pause binary \(pause) cannot be read: \(String(cString: strerror(errno))) (build skiff-pause, or pass --pause)")
        }
        let target = rootfs + "/pause"
        if !FileIO.sameContents(pause, target) {
            try FileIO.copyAtomically(from: pause, to: target, mode: 0o755)
        }
        return rootfs
    }
}

// An overlayfs mount of read-only layer directories under one writable directory: a container's
// rootfs. Layers are shared by every container of every image that has them; writes go to the
// container's own upperdir.
import Glibc
import RuntimeCore

public enum OverlayMount {
    /// Mounts overlayfs at `target`. `lowerDirs` are top-first, as overlayfs wants them.
    public static func mount(lowerDirs: [String], upperDir: String, workDir: String, target: String) throws {
        guard !lowerDirs.isEmpty else { throw RuntimeError("overlay mount at \(target): no layers") }
        // ',' separates options and ':' separates lower dirs: such paths would be misread.
        for dir in lowerDirs + [upperDir, workDir] where dir.contains(",") || dir.contains(":") {
            throw RuntimeError("overlay mount at \(target): path \(dir) holds ',' or ':'")
        }
        let options = "lowerdir=\(lowerDirs.joined(separator: ":")),upperdir=\(upperDir),workdir=\(workDir)"
        // mount(2) takes at most one page of options; longer needs fsconfig's lowerdir+ (not yet).
        if options.utf8.count >= 4096 {
            throw RuntimeError("overlay mount at \(target): \(lowerDirs.count) layers make the options longer than a page")
        }
        if Glibc.mount("overlay", target, "overlay", 0, options) < 0 {
            throw RuntimeError.system("overlay mount at \(target) (\(lowerDirs.count) layers)")
        }
    }

    /// Unmounts `target`; nothing to do when it is not a mount point (or gone).
    /// A busy mount is detached lazily so that cleanup always finishes.
    public static func unmount(_ target: String) throws {
        if umount2(target, 0) == 0 { return }
        switch errno {
        case EINVAL, ENOENT: return
        case EBUSY:
            if umount2(target, Int32(MNT_DETACH)) == 0 { return }
            throw RuntimeError.system("unmount (detach) \(target)")
        default:
            throw RuntimeError.system("unmount \(target)")
        }
    }
}

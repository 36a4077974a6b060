// Extended-attribute calls. Glibc's Swift module does not export <sys/xattr.h>, and CSystem is
// shared with the runtime, so the few libc functions are declared here by their C symbol
// (plain C ABI: pointers, size_t, int). TODO: move to CSystem shims when that file is open.
import Glibc

@_silgen_name("fsetxattr")
func sk_fsetxattr(_ fd: Int32, _ name: UnsafePointer<CChar>, _ value: UnsafeRawPointer?, _ size: Int, _ flags: Int32) -> Int32

@_silgen_name("lsetxattr")
func sk_lsetxattr(_ path: UnsafePointer<CChar>, _ name: UnsafePointer<CChar>, _ value: UnsafeRawPointer?, _ size: Int, _ flags: Int32) -> Int32

@_silgen_name("lgetxattr")
func sk_lgetxattr(_ path: UnsafePointer<CChar>, _ name: UnsafePointer<CChar>, _ value: UnsafeMutableRawPointer?, _ size: Int) -> Int

/// The value of the xattr `name` of `path` (symlinks not followed), or nil when it has none.
public func readXattr(_ path: String, _ name: String) -> [UInt8]? {
    let size = sk_lgetxattr(path, name, nil, 0)
    if size < 0 { return nil }
    var value = [UInt8](repeating: 0, count: size)
    let n = value.withUnsafeMutableBytes { sk_lgetxattr(path, name, $0.baseAddress, $0.count) }
    return n < 0 ? nil : Array(value[0..<n])
}

// Reading extended attributes (the calls themselves are CSkiffSystem shims).
import CSkiffSystem

/// The value of the xattr `name` of `path` (symlinks not followed), or nil when it has none.
public func readXattr(_ path: String, _ name: String) -> [UInt8]? {
    let size = sk_lgetxattr(path, name, nil, 0)
    if size < 0 { return nil }
    var value = [UInt8](repeating: 0, count: size)
    let n = value.withUnsafeMutableBytes { sk_lgetxattr(path, name, $0.baseAddress, $0.count) }
    return n < 0 ? nil : Array(value[0..<n])
}

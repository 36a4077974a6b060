// Test support for the layer tests: scratch directories, tars built with Python's tarfile,
// and small file-system probes.
import Foundation
import Glibc
import TestSupport
import XCTest
@testable import ImageStore

/// Helpers every tar-building script starts with: `add(t, name, ...)` adds one entry.
/// argv: <output path> <format: pax|gnu|ustar> <compression: none|gz>.
private let tarPreamble = """
import io, sys, tarfile, base64
fmt = {'pax': tarfile.PAX_FORMAT, 'gnu': tarfile.GNU_FORMAT, 'ustar': tarfile.USTAR_FORMAT}[sys.argv[2]]
t = tarfile.open(sys.argv[1], 'w:gz' if sys.argv[3] == 'gz' else 'w', format=fmt)
def add(name, type=tarfile.REGTYPE, data=b'', mode=0o644, uid=0, gid=0, link='', mtime=1000000000, major=0, minor=0, pax=None):
    i = tarfile.TarInfo(name)
    i.type = type; i.mode = mode; i.uid = uid; i.gid = gid; i.linkname = link; i.mtime = mtime
    i.devmajor = major; i.devminor = minor
    if pax: i.pax_headers = pax
    i.size = len(data) if type == tarfile.REGTYPE else 0
    t.addfile(i, io.BytesIO(data) if type == tarfile.REGTYPE else None)
def d(name, **kw): add(name, type=tarfile.DIRTYPE, mode=kw.pop('mode', 0o755), **kw)
def f(name, data=b'', **kw): add(name, data=data, **kw)
def sym(name, target, **kw): add(name, type=tarfile.SYMTYPE, link=target, **kw)
def hard(name, target, **kw): add(name, type=tarfile.LNKTYPE, link=target, **kw)

"""

extension XCTestCase {
    func requireRootForLayers() throws {
        guard getuid() == 0 else { throw XCTSkip("layer tests run as root (ownership, devices, trusted xattrs, mounts)") }
    }

    /// Writes a tar at `path` from Python statements using the preamble's helpers.
    func makeTar(_ path: String, format: String = "pax", gzip: Bool = false, _ body: String) throws {
        let result = try Command.run("/usr/bin/python3", ["-c", tarPreamble + body + "\nt.close()\n", path, format, gzip ? "gz" : "none"])
        guard result.status == 0 else { throw TestFailure("building \(path): \(result.summary)") }
    }
}

func lstatOf(_ path: String) -> stat? {
    var st = stat()
    return lstat(path, &st) == 0 ? st : nil
}

func fileContents(_ path: String) -> String? { try? String(contentsOfFile: path, encoding: .utf8) }

func directoryListing(_ path: String) -> [String] {
    ((try? FileManager.default.contentsOfDirectory(atPath: path)) ?? []).sorted()
}

/// sha256 of a file as "sha256:<hex>", by sha256sum (independent of the code under test).
func sha256OfFile(_ path: String) throws -> String {
    let out = try shell("sha256sum '\(path)'").stdout
    return "sha256:" + String(out.prefix(64))
}

func isMounted(_ path: String) -> Bool {
    let mountinfo = (try? String(contentsOfFile: "/proc/self/mountinfo", encoding: .utf8)) ?? ""
    return mountinfo.split(separator: "\n").contains { $0.split(separator: " ").dropFirst(4).first.map(String.init) == path }
}

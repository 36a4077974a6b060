// Real registries for the pull tests: docker-registry (Debian's distribution registry) on a
// free 127.0.0.1 port, filled with skopeo from the project's test image, and a small python
// front that checks token auth or cuts a blob off halfway. Every server a test starts is
// stopped by PID at teardown and its directory removed.
import Foundation
import Glibc
@testable import ImageStore
import OCISpec
import RuntimeCore
import TestSupport
import XCTest

enum RegistryFixtures {
    /// A free TCP port on 127.0.0.1 (bound and released; the server binds it right after).
    static func freePort() throws -> Int {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw RuntimeError.system("socket") }
        defer { close(fd) }
        var addr = sockaddr_in()
        addr.sin_family = sa_family_t(AF_INET)
        addr.sin_addr.s_addr = inet_addr("127.0.0.1")
        addr.sin_port = 0
        var len = socklen_t(MemoryLayout<sockaddr_in>.size)
        let ok = withUnsafeMutablePointer(to: &addr) { p in
            p.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, len) == 0 && getsockname(fd, $0, &len) == 0 }
        }
        guard ok else { throw RuntimeError.system("bind 127.0.0.1:0") }
        return Int(UInt16(bigEndian: addr.sin_port))
    }

    /// Waits until something accepts connections on 127.0.0.1:port.
    static func waitForPort(_ port: Int, what: String) throws {
        for _ in 0..<100 {
            let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
            var addr = sockaddr_in()
            addr.sin_family = sa_family_t(AF_INET)
            addr.sin_addr.s_addr = inet_addr("127.0.0.1")
            addr.sin_port = UInt16(port).bigEndian
            let r = withUnsafePointer(to: &addr) { p in
                p.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
            }
            close(fd)
            if r == 0 { return }
            usleep(100_000)
        }
        throw RuntimeError("\(what) did not listen on 127.0.0.1:\(port) within 10 s")
    }

    /// Starts a background program, stopped by PID when the test ends.
    static func startServer(_ test: XCTestCase, _ program: String, _ args: [String], port: Int, what: String) throws {
        let pid = try Command.start(program, args)
        test.addTeardownBlock { Command.stop(pid) }
        try waitForPort(port, what: what)
    }

    /// docker-registry on a free port with storage in a scratch directory; returns "127.0.0.1:port".
    static func startRegistry(_ test: XCTestCase) throws -> String {
        guard let exe = Command.find("docker-registry") else { throw XCTSkip("docker-registry is not installed (hack/deps)") }
        let dir = try ImageFixtures.scratchDirectory(test, "registry")
        let port = try freePort()
        let config = """
        version: 0.1
        log:
          level: error
        storage:
          filesystem:
            rootdirectory: \(dir)/data
        http:
          addr: 127.0.0.1:\(port)
        """
        try FileIO.writeAtomically(dir + "/config.yml", Array(config.utf8), mode: 0o644)
        try startServer(test, exe, ["serve", dir + "/config.yml"], port: port, what: "docker-registry")
        return "127.0.0.1:\(port)"
    }

    /// skopeo copy of an OCI layout image into the registry.
    static func push(layout: String, tag: String = "latest", to destination: String, all: Bool = false) throws {
        var args = ["copy", "--quiet", "--dest-tls-verify=false"]
        if all { args.append("--all") }
        try ImageFixtures.runTool("skopeo", args + ["oci:\(layout):\(tag)", "docker://\(destination)"])
    }

    /// Starts front.py before `upstream` in `mode` ("token USER PASS", "basic USER PASS" or "cut");
    /// returns "127.0.0.1:port".
    static func startFront(_ test: XCTestCase, upstream: String, mode: [String]) throws -> String {
        guard let python = Command.find("python3") else { throw XCTSkip("python3 is not installed") }
        let dir = try ImageFixtures.scratchDirectory(test, "front")
        try FileIO.writeAtomically(dir + "/front.py", Array(frontScript.utf8), mode: 0o644)
        let port = try freePort()
        try startServer(test, python, [dir + "/front.py", upstream, String(port)] + mode, port: port, what: "front.py")
        return "127.0.0.1:\(port)"
    }

    /// A proxy to a registry. "token": /v2/ needs a Bearer token that /token hands out only for
    /// the given basic credentials. "basic": /v2/ needs those credentials. "cut": the first response for a blob over 100 KiB sends
    /// half its body and drops the connection.
    static let frontScript = #"""
    import base64, http.client, http.server, json, sys, threading, urllib.parse
    upstream, port, mode = sys.argv[1], int(sys.argv[2]), sys.argv[3]
    args = sys.argv[4:]
    TOKEN = "test-token-1"
    cut_done = set()
    lock = threading.Lock()

    class Front(http.server.BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        def log_message(self, *a): pass

        def reply(self, status, body=b"", headers=()):
            self.send_response(status)
            for k, v in headers: self.send_header(k, v)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def do_GET(self):
            if mode == "token":
                if self.path.startswith("/token"):
                    want = "Basic " + base64.b64encode(f"{args[0]}:{args[1]}".encode()).decode()
                    query = urllib.parse.parse_qs(urllib.parse.urlsplit(self.path).query)
                    ok = self.headers.get("Authorization") == want and query.get("service") == ["test-registry"] \
                        and query.get("scope") == ["repository:test/busybox:pull"]
                    if ok: return self.reply(200, json.dumps({"token": TOKEN}).encode(), [("Content-Type", "application/json")])
                    return self.reply(401, b"bad credentials")
                if self.headers.get("Authorization") != "Bearer " + TOKEN:
                    challenge = f'Bearer realm="http://127.0.0.1:{port}/token",service="test-registry",scope="repository:test/busybox:pull"'
                    return self.reply(401, b'{"errors":[{"code":"UNAUTHORIZED"}]}', [("WWW-Authenticate", challenge)])
            if mode == "basic":
                want = "Basic " + base64.b64encode(f"{args[0]}:{args[1]}".encode()).decode()
                if self.headers.get("Authorization") != want:
                    return self.reply(401, b"", [("WWW-Authenticate", 'Basic realm="test-registry"')])
            conn = http.client.HTTPConnection(upstream, timeout=30)
            headers = {k: v for k, v in self.headers.items() if k.lower() == "accept"}
            conn.request("GET", self.path, headers=headers)
            r = conn.getresponse()
            body = r.read()
            keep = [(k, v) for k, v in r.getheaders() if k.lower() in ("content-type", "docker-content-digest", "location")]
            if mode == "cut" and "/blobs/" in self.path and len(body) > 100 * 1024:
                with lock:
                    first = self.path not in cut_done
                    cut_done.add(self.path)
                if first:
                    self.send_response(r.status)
                    for k, v in keep: self.send_header(k, v)
                    self.send_header("Content-Length", str(len(body)))
                    self.end_headers()
                    self.wfile.write(body[: len(body) // 2])
                    self.wfile.flush()
                    self.close_connection = True
                    return
            self.reply(r.status, body, keep)

    http.server.ThreadingHTTPServer(("127.0.0.1", port), Front).serve_forever()
    """#
}

/// Turns a copy of the single-platform test layout into a two-platform one: an index, tagged
/// "multi", listing first a made-up s390x variant (its config says s390x; same layers), then
/// the host's real manifest.
enum MultiPlatformLayout {
    static func hostManifest(in layout: String) throws -> (descriptor: [String: Any], manifest: Manifest) {
        let index = try JSONSerialization.jsonObject(with: Data(try FileIO.read(layout + "/index.json"))) as! [String: Any]
        let entry = (index["manifests"] as! [[String: Any]])[0]
        let digest = try Digest(parsing: entry["digest"] as! String)
        let manifest = try JSONDecoder().decode(Manifest.self, from: Data(try FileIO.read(digest.blobPath(under: layout))))
        return (entry, manifest)
    }

    /// Returns the index's digest and the host manifest's digest.
    static func make(at layout: String, hostPlatform: Platform) throws -> (index: Digest, hostManifest: Digest) {
        let (hostEntry, _) = try hostManifest(in: layout)
        let hostDigest = try Digest(parsing: hostEntry["digest"] as! String)
        var manifest = try json(try FileIO.read(hostDigest.blobPath(under: layout)))
        var configRef = manifest["config"] as! [String: Any]
        var config = try json(try FileIO.read(try Digest(parsing: configRef["digest"] as! String).blobPath(under: layout)))
        config["architecture"] = "s390x"
        let (configDigest, configSize) = try writeBlob(config, layout)
        configRef["digest"] = configDigest.description
        configRef["size"] = configSize
        manifest["config"] = configRef
        let (otherDigest, otherSize) = try writeBlob(manifest, layout)
        var host = hostEntry
        host["annotations"] = nil
        var hostPlatformJSON: [String: Any] = ["os": hostPlatform.os, "architecture": hostPlatform.architecture]
        if let v = hostPlatform.variant { hostPlatformJSON["variant"] = v }
        host["platform"] = hostPlatformJSON
        let other: [String: Any] = ["mediaType": MediaType.ociManifest, "digest": otherDigest.description, "size": otherSize,
                                    "platform": ["os": "linux", "architecture": "s390x"]]
        let index: [String: Any] = ["schemaVersion": 2, "mediaType": MediaType.ociIndex, "manifests": [other, host]]
        let (indexDigest, indexSize) = try writeBlob(index, layout)
        let top: [String: Any] = ["schemaVersion": 2, "mediaType": MediaType.ociIndex, "manifests": [[
            "mediaType": MediaType.ociIndex, "digest": indexDigest.description, "size": indexSize,
            "annotations": [ImageAnnotation.refName: "multi"]]]]
        try FileIO.writeAtomically(layout + "/index.json", [UInt8](try JSONSerialization.data(withJSONObject: top)), mode: 0o644)
        return (indexDigest, hostDigest)
    }

    private static func json(_ bytes: [UInt8]) throws -> [String: Any] {
        try JSONSerialization.jsonObject(with: Data(bytes)) as! [String: Any]
    }

    private static func writeBlob(_ object: [String: Any], _ layout: String) throws -> (Digest, Int) {
        let bytes = [UInt8](try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys]))
        let digest = Digest.of(bytes)
        try FileIO.writeAtomically(digest.blobPath(under: layout), bytes, mode: 0o644)
        return (digest, bytes.count)
    }
}

import XCTest
@testable import ImageStore

final class ReferenceTests: XCTestCase {
    func testNormalization() throws {
        let d = "sha256:" + String(repeating: "ab", count: 32)
        let table: [(String, String, String, String)] = [
            // input, normalized, domain, path
            ("busybox", "docker.io/library/busybox:latest", "docker.io", "library/busybox"),
            ("busybox:1.36", "docker.io/library/busybox:1.36", "docker.io", "library/busybox"),
            ("library/busybox", "docker.io/library/busybox:latest", "docker.io", "library/busybox"),
            ("docker.io/busybox", "docker.io/library/busybox:latest", "docker.io", "library/busybox"),
            ("index.docker.io/library/busybox:x", "docker.io/library/busybox:x", "docker.io", "library/busybox"),
            ("team/app", "docker.io/team/app:latest", "docker.io", "team/app"),
            ("localhost:5000/team/app", "localhost:5000/team/app:latest", "localhost:5000", "team/app"),
            ("localhost:5000/team/app:v1.2_3", "localhost:5000/team/app:v1.2_3", "localhost:5000", "team/app"),
            ("localhost/app", "localhost/app:latest", "localhost", "app"),
            ("registry.k8s.io/pause:3.9", "registry.k8s.io/pause:3.9", "registry.k8s.io", "pause"),
            ("quay.io/a/b/c:t", "quay.io/a/b/c:t", "quay.io", "a/b/c"),
            ("my-registry.example.com:443/x__y/z-z.q:TAG", "my-registry.example.com:443/x__y/z-z.q:TAG",
             "my-registry.example.com:443", "x__y/z-z.q"),
            ("[::1]:5000/app", "[::1]:5000/app:latest", "[::1]:5000", "app"),
            ("busybox@\(d)", "docker.io/library/busybox@\(d)", "docker.io", "library/busybox"),
            ("busybox:1.36@\(d)", "docker.io/library/busybox@\(d)", "docker.io", "library/busybox"),
            ("localhost:5000/app@\(d)", "localhost:5000/app@\(d)", "localhost:5000", "app"),
        ]
        for (input, normalized, domain, path) in table {
            let r = try ImageReference(parsing: input)
            XCTAssertEqual(r.description, normalized, input)
            XCTAssertEqual(r.domain, domain, input)
            XCTAssertEqual(r.path, path, input)
        }
        XCTAssertEqual(try ImageReference(parsing: "busybox:1.36@\(d)").tag, "1.36")
        XCTAssertEqual(try ImageReference(parsing: "docker.io/library/busybox:latest").familiar, "busybox:latest")
        XCTAssertEqual(try ImageReference(parsing: "team/app:v1").familiar, "team/app:v1")
        XCTAssertEqual(try ImageReference(parsing: "localhost:5000/app").familiar, "localhost:5000/app:latest")
    }

    func testInvalidReferencesNameTheInput() {
        let bad: [(String, String)] = [
            ("", "empty"),
            ("Busybox", "lowercase"),
            ("docker.io/Team/app", "lowercase"),
            ("busybox:", "invalid tag"),
            ("busybox:-x", "invalid tag"),
            ("busybox:" + String(repeating: "a", count: 129), "invalid tag"),
            ("busybox@sha256:1234", "bad digest"),
            ("busybox@md5:" + String(repeating: "a", count: 32), "bad digest"),
            ("a//b", "path component"),
            ("app-/x", "path component"),
            ("-app", "path component"),
            ("a..b", "path component"),
            ("bad host!/app", "whitespace"),
            ("localhost:port/app", "registry host"),
            (":tag", "missing repository"),
            (String(repeating: "ab", count: 32), "image ID"),
        ]
        for (input, why) in bad {
            ImageFixtures.assertThrows(try ImageReference(parsing: input), containing: ["\"\(input)\"", why])
        }
    }
}

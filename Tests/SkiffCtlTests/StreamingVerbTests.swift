// skiffctl's streaming verbs (exec -i/-t, attach, port-forward) against a real skiff-cri. The
// daemon's streaming server listens on its network namespace's loopback, so skiffctl runs
// there too (nsenter), as it would run on the node.
import CRIAPI
import Foundation
import NodeTestSupport
import TestSupport
import XCTest

final class StreamingVerbTests: XCTestCase {
    /// `skiffctl ARGS` inside the daemon's namespace, stdin from `input`, through a shell.
    private func ctl(_ node: DaemonFixture, input: String = "", _ arguments: String) throws -> CommandResult {
        try Command.run("/bin/sh", ["-c", "printf '\(input)' | /usr/bin/nsenter --net=/run/netns/\(node.netns) \(Binaries.ctl) -r unix://\(node.socket) \(arguments)"],
                        timeout: 60)
    }

    func testExecInteractiveAttachAndPortForward() async throws {
        let node = try DaemonFixture(self)
        try await node.pullImage()
        let pod = try await node.runPod("ctl-stream")
        let shell = try await node.runContainer(pod, podName: "ctl-stream", "shell", ["sleep", "300"])

        let echoed = try ctl(node, input: "typed in\\n", "exec -i \(shell.prefix(8)) cat")
        XCTAssertEqual(echoed.status, 0, echoed.summary)
        XCTAssertEqual(echoed.stdout, "typed in\n")
        let failed = try ctl(node, "exec -i \(shell) sh -c 'echo to-stderr >&2; exit 5'")
        XCTAssertEqual(failed.status, 5, "skiffctl exits with the command's code: \(failed.summary)")
        XCTAssertEqual(failed.stderr, "to-stderr\n")
        let terminal = try ctl(node, "exec -t \(shell) tty")
        XCTAssertEqual(terminal.status, 0, terminal.summary)
        XCTAssertTrue(terminal.stdout.hasPrefix("/dev/pts/"), terminal.summary)

        let cat = try await node.runContainer(pod, podName: "ctl-stream", "cat", ["cat"]) { config in
            config.stdin = true
            config.stdinOnce = true
        }
        let attached = try ctl(node, input: "to the container\\n", "attach -i \(cat)")
        XCTAssertEqual(attached.status, 0, attached.summary)
        XCTAssertEqual(attached.stdout, "to the container\n")

        _ = try await node.runContainer(pod, podName: "ctl-stream", "web",
                                        ["sh", "-c", "mkdir /www; echo via-skiffctl > /www/index.html; httpd -f -p 127.0.0.1:8080 -h /www"])
        let directory = try makeScratchDirectory("ctl-pf")
        let forwarding = try Command.start("/usr/bin/nsenter", ["--net=/run/netns/\(node.netns)", Binaries.ctl, "-r", "unix://\(node.socket)",
                                                                "port-forward", String(pod.prefix(10)), "18080:8080"],
                                           stdout: directory + "/out")
        defer { Command.stop(forwarding) }
        try node.waitFor("skiffctl to listen") {
            ((try? String(contentsOfFile: directory + "/out", encoding: .utf8)) ?? "").contains("Forwarding from 127.0.0.1:18080 -> 8080")
        }
        try node.waitFor("the pod's server through skiffctl port-forward") {
            let r = try node.inNetns("curl", ["-s", "-m", "5", "http://127.0.0.1:18080/"], timeout: 20)
            return r.status == 0 && r.stdout == "via-skiffctl\n"
        }
    }
}

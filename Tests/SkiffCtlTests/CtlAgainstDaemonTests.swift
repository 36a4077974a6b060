// The built skiffctl against a real skiff-cri (pods with CNI, the busybox image from a registry):
// what a crictl user would type, and what they would see.
import CRIAPI
import NodeTestSupport
import Foundation
import SkiffCtl
import TestSupport
import XCTest

final class CtlAgainstDaemonTests: XCTestCase {
    func testPodAndContainerLifecycleByIDPrefix() async throws {
        let node = try DaemonFixture(self)
        let ctl = CtlRunner(node: node)
        let dir = try makeScratchDirectory("ctl")
        let podConfig = try ctl.writePodConfig("web", in: dir)
        let containerConfig = try ctl.writeContainerConfig("app", "for i in 1 2 3 4 5; do echo line $i; done; echo oops >&2; sleep 300", in: dir)

        let pod = try ctl.id("runp", podConfig)
        XCTAssertEqual(pod.count, 64, pod)
        // create pulls the image the node lacks.
        let container = try ctl.id("create", String(pod.prefix(6)), containerConfig, podConfig)
        let created = try ctl.ok("ps", "-a")
        XCTAssertEqual(created, try ctl.ok("ps", "--state", "created"))
        XCTAssertTrue(created.contains("Created"), created)
        // --latest and --last list the newest whatever their state, as crictl does.
        XCTAssertEqual(try ctl.ok("ps", "-q", "--latest"), container + "\n")
        XCTAssertEqual(try ctl.ok("ps", "-q", "-n", "1"), container + "\n")
        XCTAssertEqual(try ctl.ok("ps", "-q"), "", "not running yet")
        let second = try ctl.id("create", String(pod.prefix(6)), try ctl.writeContainerConfig("later", "sleep 300", in: dir), podConfig)
        XCTAssertEqual(try ctl.ok("ps", "-q", "--latest"), second + "\n")
        XCTAssertEqual(try ctl.ok("ps", "-q", "--last", "2"), second + "\n" + container + "\n", "newest first")
        XCTAssertEqual(try ctl.ok("pods", "-q", "--latest"), pod + "\n")
        XCTAssertEqual(try ctl.ok("rm", second), second + "\n")
        XCTAssertEqual(try ctl.ok("start", String(container.prefix(5))), container + "\n")

        let ps = try ctl.ok("ps")
        XCTAssertEqual(CtlRunner.rows(ps).first, ["CONTAINER", "IMAGE", "CREATED", "STATE", "NAME", "ATTEMPT", "POD ID", "POD"], ps)
        XCTAssertEqual(CtlRunner.rows(ps).dropFirst().first.map { Array($0[0...1]) + $0.dropFirst(3) },
                       [String(container.prefix(13)), node.image, "Running", "app", "0", String(pod.prefix(13)), "web"], ps)
        XCTAssertEqual(try ctl.ok("ps", "-q"), container + "\n")
        XCTAssertEqual(try ctl.ok("ps", "-q", "--pod", String(pod.prefix(8))), container + "\n")
        XCTAssertEqual(try ctl.ok("ps", "-q", "--name", "^ap"), container + "\n")
        XCTAssertEqual(try ctl.ok("ps", "-q", "--label", "tier=test"), container + "\n")
        XCTAssertEqual(try ctl.ok("ps", "-q", "--label", "tier=prod"), "")
        XCTAssertEqual(try ctl.ok("ps", "-q", "--image", node.image), container + "\n")

        let pods = try ctl.ok("pods")
        XCTAssertEqual(CtlRunner.rows(pods).first, ["POD ID", "CREATED", "STATE", "NAME", "NAMESPACE", "ATTEMPT", "RUNTIME"], pods)
        XCTAssertEqual(CtlRunner.rows(pods).dropFirst().first.map { [$0[0]] + $0.dropFirst(2) },
                       [String(pod.prefix(13)), "Ready", "web", "default", "0", "(default)"], pods)
        XCTAssertEqual(try ctl.ok("pods", "-q"), pod + "\n")
        XCTAssertEqual(try ctl.ok("pods", "-q", "--name", "we", "--namespace", "default", "--label", "app=web", "--state", "ready"), pod + "\n")
        XCTAssertEqual(try ctl.ok("pods", "-q", "--state", "NotReady"), "")
        XCTAssertEqual(try ctl.ok("pods", "-q", "--name", "other"), "")

        // inspect: JSON by default, the daemon's info shown as JSON objects.
        let inspected = try JSONValue.parse(Data(try ctl.ok("inspect", String(container.prefix(7))).utf8))
        XCTAssertEqual(inspected["status"]?["id"], .string(container))
        XCTAssertEqual(inspected["status"]?["state"], .string("CONTAINER_RUNNING"))
        XCTAssertEqual(inspected["status"]?["metadata"]?["name"], .string("app"))
        let podYAML = try ctl.status(PodSandboxStatus.self, try ctl.ok("inspectp", "-o", "yaml", String(pod.prefix(7))), yaml: true)
        XCTAssertEqual(podYAML.id, pod)
        XCTAssertEqual(podYAML.state, .ready)
        XCTAssertTrue(podYAML.network?.ip.hasPrefix("10.88.") ?? false, "\(podYAML)")
        XCTAssertTrue(try ctl.ok("inspect", "-o", "table", container).contains("State: Running"))

        // logs: stdout lines on stdout, stderr on stderr; --tail counts lines of both.
        try node.waitFor("the container's output") {
            (try? ctl.ok("logs", container).contains("line 5")) ?? false
        }
        let all = try ctl.run(["logs", String(container.prefix(9))])
        XCTAssertEqual(all.stdout, "line 1\nline 2\nline 3\nline 4\nline 5\n")
        XCTAssertEqual(all.stderr, "oops\n")
        let tail = try ctl.run(["logs", "--tail", "2", container])
        XCTAssertEqual(tail.stdout, "line 5\n")
        XCTAssertEqual(tail.stderr, "oops\n")
        let stamped = try ctl.ok("logs", "-t", "--tail", "1", "--since", "10m", container)
        XCTAssertEqual(stamped, "", "the last line is oops, on stderr")
        let stampedOut = try ctl.run(["logs", "--timestamps", "--tail", "2", container]).stdout
        XCTAssertNotNil(stampedOut.range(of: #"^20\d\d-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{9}Z line 5\n$"#, options: .regularExpression), stampedOut)
        XCTAssertEqual(try ctl.ok("logs", "--since", "2000-01-01T00:00:00Z", "--tail", "1", container), "")
        XCTAssertEqual(try ctl.run(["logs", "--since", "2999-01-01T00:00:00Z", container]).stdout, "")

        // stop, rm, stopp, rmp by prefix; rm and rmp refuse what still runs.
        let refused = try ctl.run(["rm", String(container.prefix(6))])
        XCTAssertEqual(refused.status, 1)
        XCTAssertTrue(refused.stderr.hasPrefix("skiffctl: removing container \(container): it is running"), refused.stderr)
        XCTAssertEqual(try ctl.ok("stop", "-t", "1", String(container.prefix(6))), container + "\n")
        let exited = try ctl.status(ContainerStatus.self, try ctl.ok("inspect", container))
        XCTAssertEqual(exited.state, .exited)
        XCTAssertTrue(try ctl.ok("ps", "-a").contains("Exited"))
        XCTAssertEqual(try ctl.ok("ps", "-q"), "", "ps lists running containers only")
        XCTAssertEqual(try ctl.ok("rm", String(container.prefix(6))), container + "\n")
        XCTAssertEqual(try ctl.ok("ps", "-aq"), "")
        let podRefused = try ctl.run(["rmp", String(pod.prefix(6))])
        XCTAssertEqual(podRefused.status, 1)
        XCTAssertTrue(podRefused.stderr.contains("stopp"), podRefused.stderr)
        XCTAssertEqual(try ctl.ok("stopp", String(pod.prefix(6))), "Stopped sandbox \(pod)\n")
        XCTAssertTrue(try ctl.ok("pods").contains("NotReady"))
        XCTAssertEqual(try ctl.ok("rmp", String(pod.prefix(6))), "Removed sandbox \(pod)\n")
        XCTAssertEqual(try ctl.ok("pods", "-q"), "")
    }

    func testLogsFollowAContainerStillPrintingAndJoinLongLines() async throws {
        let node = try DaemonFixture(self)
        let ctl = CtlRunner(node: node)
        let dir = try makeScratchDirectory("ctl")
        let podConfig = try ctl.writePodConfig("follow", in: dir)
        // A 100000-byte line is written as several partial records; then a tick every 0.3 s.
        let script = "head -c 100000 /dev/zero | tr '\\0' x; echo; for i in 1 2 3 4 5 6 7 8; do echo tick $i; sleep 0.3; done; echo done"
        let containerConfig = try ctl.writeContainerConfig("ticker", script, in: dir)
        let container = try ctl.id("run", containerConfig, podConfig)

        let out = dir + "/follow.out"
        let pid = try ctl.start(["logs", "-f", String(container.prefix(8))], stdout: out, stderr: dir + "/follow.err")
        var stopped = false
        defer { if !stopped { Command.stop(pid) } }
        // Lines arrive while the container still runs.
        try node.waitFor("tick 2 through logs -f") {
            ((try? String(contentsOfFile: out, encoding: .utf8)) ?? "").contains("tick 2\n")
        }
        let state = try await node.client.containerStatus(ContainerStatusRequest(containerId: container)).status.state
        XCTAssertEqual(state, .running, "logs -f showed output before the container finished")
        // And it ends by itself once the container has exited.
        let status = Command.wait(pid, timeout: 30)
        stopped = true
        XCTAssertEqual(status, 0, (try? String(contentsOfFile: dir + "/follow.err", encoding: .utf8)) ?? "")
        let text = try String(contentsOfFile: out, encoding: .utf8)
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        XCTAssertEqual(lines.first?.count, 100_000, "the partial records are one line")
        XCTAssertEqual(lines.first?.allSatisfy { $0 == "x" }, true)
        XCTAssertEqual(Array(lines.dropFirst()), (1...8).map { "tick \($0)" } + ["done", ""])

        let raw = try String(contentsOfFile: "\(node.logs)/default_follow/ticker/0.log", encoding: .utf8)
        XCTAssertTrue(raw.contains(" stdout P "), "the log really holds partial records")
        XCTAssertEqual(try ctl.ok("logs", "--tail", "2", container), "tick 8\ndone\n")
    }

    func testImagesPullInspectAndRemove() async throws {
        let node = try DaemonFixture(self)
        let ctl = CtlRunner(node: node)
        XCTAssertEqual(try ctl.ok("images", "-q"), "")
        let pulled = try ctl.ok("pull", node.image)
        XCTAssertTrue(pulled.hasPrefix("Image is up to date for sha256:"), pulled)
        let id = String(pulled.dropFirst("Image is up to date for ".count).dropLast())

        let images = try ctl.ok("images")
        XCTAssertEqual(CtlRunner.rows(images).first, ["IMAGE", "TAG", "IMAGE ID", "SIZE"], images)
        XCTAssertEqual(CtlRunner.rows(images).dropFirst().first?.prefix(3), ["\(node.registry)/test/busybox", "1", String(id.dropFirst(7).prefix(13))], images)
        XCTAssertEqual(try ctl.ok("images", "-q"), id + "\n")
        XCTAssertTrue(try ctl.ok("images", "--digests").contains("DIGEST"))
        let listed = try ctl.decode(ListImagesResponse.self, try ctl.ok("images", "-o", "json"))
        XCTAssertEqual(listed.images.map(\.id), [id])
        XCTAssertEqual(listed.images.first?.repoTags, [node.image])

        let inspected = try JSONValue.parse(Data(try ctl.ok("inspecti", node.image).utf8))
        XCTAssertEqual(inspected["status"]?["id"], .string(id))
        XCTAssertNotNil(inspected["info"], "the image config, as JSON")
        let byPrefix = try ctl.status(CRIAPI.Image.self, try ctl.ok("inspecti", "-o", "yaml", String(id.dropFirst(7).prefix(5))), yaml: true)
        XCTAssertEqual(byPrefix.id, id)

        let missing = try ctl.run(["rmi", "\(node.registry)/test/nothere:1"])
        XCTAssertEqual(missing.status, 1)
        XCTAssertEqual(missing.stderr, "skiffctl: removing image \(node.registry)/test/nothere:1: no such image\n")
        XCTAssertEqual(try ctl.ok("rmi", String(id.dropFirst(7).prefix(6))), "Deleted: \(node.image)\n")
        XCTAssertEqual(try ctl.ok("images", "-q"), "")

        try ctl.ok("pull", node.image)
        let fs = try ctl.decode(ImageFsInfoResponse.self, try ctl.ok("imagefsinfo"))
        XCTAssertGreaterThan(fs.imageFilesystems.first?.usedBytes?.value ?? 0, 0, "\(fs)")
        XCTAssertEqual(CtlRunner.rows(try ctl.ok("imagefsinfo", "-o", "table")).first, ["MOUNTPOINT", "USED", "INODES"])
        XCTAssertEqual(try ctl.ok("rmi", "--prune"), "Deleted: \(node.image)\n", "no container uses it")
        let badCreds = try ctl.run(["pull", "--creds", "nocolon", node.image])
        XCTAssertEqual(badCreds.status, 1)
        XCTAssertTrue(badCreds.stderr.contains("USERNAME:PASSWORD"), badCreds.stderr)
        // Pulls fetch in a process of their own: credentials reach it, its errors come back.
        XCTAssertTrue(try ctl.ok("pull", "--creds", "someone:secret", node.image).hasPrefix("Image is up to date for sha256:"))
        let missingTag = try ctl.run(["pull", "\(node.registry)/test/busybox:nothere"])
        XCTAssertEqual(missingTag.status, 1)
        XCTAssertTrue(missingTag.stderr.contains("pull \(node.registry)/test/busybox:nothere: ") && missingTag.stderr.contains("nothere"),
                      missingTag.stderr)
        XCTAssertEqual(try ctl.ok("images", "-q"), id + "\n", "a failed pull records nothing")
    }

    func testRunOfCrictlConfigsExecEventsAndOutputFormats() async throws {
        let node = try DaemonFixture(self)
        let ctl = CtlRunner(node: node)
        let dir = try makeScratchDirectory("ctl")
        let eventsOut = dir + "/events.out"
        let events = try ctl.start(["events", "-o", "json"], stdout: eventsOut, stderr: dir + "/events.err")
        defer { Command.stop(events) }

        // crictl's snake_case container-config.json and pod-config.json.
        let podConfig = try ctl.writePodConfig("runner", in: dir)
        try """
            {"metadata": {"name": "sleeper"}, "image": {"image": "\(node.image)"},
             "command": ["sleep", "300"], "log_path": "sleeper/0.log", "working_dir": "/tmp",
             "envs": [{"key": "GREETING", "value": "hello from env"}]}
            """.write(toFile: dir + "/sleeper.json", atomically: true, encoding: .utf8)
        let container = try ctl.id("run", dir + "/sleeper.json", podConfig)
        let ps = try ctl.decode(ListContainersResponse.self, try ctl.ok("ps", "-o", "yaml"), yaml: true)
        XCTAssertEqual(ps.containers.map(\.id), [container])
        XCTAssertEqual(ps.containers.first?.state, .running)
        let pods = try ctl.decode(ListPodSandboxResponse.self, try ctl.ok("pods", "-o", "json"))
        XCTAssertEqual(pods.items.map(\.metadata.name), ["runner"])
        XCTAssertEqual(ps.containers.first?.podSandboxId, pods.items.first?.id)

        // exec: ExecSync's output and exit status become skiffctl's.
        let exec = try ctl.run(["exec", String(container.prefix(6)), "sh", "-c", "echo $GREETING in $(pwd); echo err >&2; exit 3"])
        XCTAssertEqual(exec.status, 3)
        XCTAssertEqual(exec.stdout, "hello from env in /tmp\n")
        XCTAssertEqual(exec.stderr, "err\n")
        XCTAssertEqual(try ctl.ok("exec", "-s", "--timeout", "5", container, "ls", "-d", "/etc"), "/etc\n")
        let late = try ctl.run(["exec", "--sync", "--timeout", "1", container, "sleep", "20"])
        XCTAssertEqual(late.status, 1)
        XCTAssertTrue(late.stderr.hasPrefix("skiffctl: exec in container \(container):"), late.stderr)

        // Events came as they happened, one JSON object per line.
        try node.waitFor("the started event") {
            ((try? String(contentsOfFile: eventsOut, encoding: .utf8)) ?? "").contains("CONTAINER_STARTED_EVENT")
        }
        let seen = try String(contentsOfFile: eventsOut, encoding: .utf8).split(separator: "\n").map {
            try CRICodec.decode(ContainerEventResponse.self, from: Data($0.utf8))
        }
        XCTAssertEqual(seen.filter { $0.containerId == container }.map(\.containerEventType).prefix(2), [.created, .started])

        let version = try ctl.ok("version")
        XCTAssertTrue(version.contains("RuntimeName:  skiff\n") && version.contains("RuntimeApiVersion:  v1\n"), version)
        let info = try JSONValue.parse(Data(try ctl.ok("info").utf8))
        guard case .array(let conditions)? = info["status"]?["conditions"] else { return XCTFail("no conditions: \(info)") }
        XCTAssertTrue(conditions.contains { $0["type"] == .string("RuntimeReady") && $0["status"] == .bool(true) }, "\(info)")

        let stats = try ctl.ok("stats")
        XCTAssertTrue(stats.hasPrefix("CONTAINER           NAME                CPU %"), stats)
        XCTAssertTrue(stats.contains(String(container.prefix(13))) && stats.contains("sleeper"), stats)
        let statsJSON = try ctl.decode(ListContainerStatsResponse.self, try ctl.ok("stats", "-o", "json"))
        XCTAssertEqual(statsJSON.stats.map(\.attributes.id), [container])
        XCTAssertTrue(try ctl.ok("statsp").contains("runner"))

        XCTAssertEqual(try ctl.ok("rm", "-f", String(container.prefix(6))), container + "\n")
        XCTAssertEqual(try ctl.ok("rmp", "-f", "-a"), "Removed sandbox \(ps.containers[0].podSandboxId)\n")
    }

    func testMissingIDsAndAnUnreachableSocketAreClearErrors() async throws {
        let node = try DaemonFixture(self, pushImage: false)
        let ctl = CtlRunner(node: node)
        for (args, message) in [
            (["inspect", "deadbeef"], "skiffctl: container \"deadbeef\": not found (no container id starts with \"deadbeef\")\n"),
            (["stopp", "cafe"], "skiffctl: pod sandbox \"cafe\": not found (no pod sandbox id starts with \"cafe\")\n"),
            (["logs", "feed"], "skiffctl: container \"feed\": not found (no container id starts with \"feed\")\n"),
            (["inspecti", "nothere:1"], "skiffctl: image status of nothere:1: no such image\n"),
            (["runp", "/nonexistent/pod.json"], "skiffctl: reading /nonexistent/pod.json: no such file\n"),
        ] {
            let result = try ctl.run(args)
            XCTAssertEqual(result.status, 1, result.summary)
            XCTAssertEqual(result.stdout, "", result.summary)
            XCTAssertEqual(result.stderr, message, result.summary)
        }
        let unreachable = try Command.run(Binaries.ctl, ["-r", "unix:///tmp/skiff-no-such.sock", "ps"])
        XCTAssertEqual(unreachable.status, 1)
        XCTAssertTrue(unreachable.stderr.hasPrefix("skiffctl: listing containers: cannot connect to /tmp/skiff-no-such.sock"), unreachable.stderr)
        let env = try Command.run(Binaries.ctl, ["pods"], environment: ["CONTAINER_RUNTIME_ENDPOINT": "unix://\(node.socket)"])
        XCTAssertEqual(env.status, 0, env.summary)
        XCTAssertTrue(env.stdout.hasPrefix("POD ID"), env.summary)
        // The daemon's own refusal, with skiffctl's step before it.
        let dir = try makeScratchDirectory("ctl")
        try #"{"metadata": {"namespace": "default"}}"#.write(toFile: dir + "/nameless.json", atomically: true, encoding: .utf8)
        let nameless = try ctl.run(["runp", dir + "/nameless.json"])
        XCTAssertEqual(nameless.status, 1)
        XCTAssertTrue(nameless.stderr.hasPrefix("skiffctl: running pod sandbox \"\": "), nameless.stderr)
        XCTAssertTrue(nameless.stderr.contains("name"), nameless.stderr)
    }
}

// What a pod's spec does inside its containers, seen from inside: a shared emptyDir, env and the
// downward API, hostAliases, configMaps and secrets from the node's files, command and args,
// workingDir, dnsConfig, a projected volume, hostPort, imagePullPolicy, the memory limit
// in the container's cgroup, and the security context (ids, read-only root, capabilities).
import CRIAPI
import Foundation
import KubeAPI
import Kubelet
import TestSupport
import XCTest

final class PodSettingsTests: XCTestCase {
    let image = "127.0.0.1:5000/test/busybox:1"
    let idle = #"["sh", "-c", "trap 'exit 0' TERM; while true; do sleep 1; done"]"#

    func testSharedEmptyDirEnvDownwardAPIAndHostAliases() async throws {
        let k = try KubeletHarness(self)
        try k.write("env.yaml", """
        apiVersion: v1
        kind: Pod
        metadata:
          name: env
          labels: {tier: backend}
        spec:
          terminationGracePeriodSeconds: 1
          hostAliases:
          - {ip: 192.0.2.10, hostnames: [db.internal, db]}
          volumes:
          - {name: shared, emptyDir: {}}
          - {name: memory, emptyDir: {medium: Memory, sizeLimit: 8Mi}}
          - name: info
            downwardAPI:
              items:
              - {path: labels, fieldRef: {fieldPath: metadata.labels}}
              - {path: mem, resourceFieldRef: {containerName: reader, resource: limits.memory, divisor: 1Mi}}
          containers:
          - name: writer
            image: \(image)
            command: ["sh", "-c", "echo '$(GREETING)' > /shared/msg; trap 'exit 0' TERM; while true; do sleep 1; done"]
            env:
            - {name: NAME, valueFrom: {fieldRef: {fieldPath: metadata.name}}}
            - {name: GREETING, value: "hello from $(NAME) at $(POD_IP)"}
            - {name: POD_IP, valueFrom: {fieldRef: {fieldPath: status.podIP}}}
            - {name: PRICE, value: "$$5"}
            volumeMounts: [{name: shared, mountPath: /shared}]
          - name: reader
            image: \(image)
            command: \(idle)
            env:
            - {name: NODE, valueFrom: {fieldRef: {fieldPath: spec.nodeName}}}
            - {name: IP, valueFrom: {fieldRef: {fieldPath: status.podIP}}}
            - {name: MEM, valueFrom: {resourceFieldRef: {resource: limits.memory}}}
            resources: {limits: {memory: 32Mi}}
            volumeMounts:
            - {name: shared, mountPath: /from-writer, readOnly: true}
            - {name: info, mountPath: /etc/podinfo}
            - {name: memory, mountPath: /scratch}
        """)
        let pod = try await k.waitForPod("env", "Running") { $0.phase == .running }
        let ip = try XCTUnwrap(pod.status?.podIP)
        try await k.waitFor("the writer's message") { try await k.exec(pod, "reader", ["cat", "/from-writer/msg"]).exitCode == 0 }
        let message = try await k.exec(pod, "reader", ["cat", "/from-writer/msg"]).output
        XCTAssertEqual(message, "hello from env-testnode at $(POD_IP)\n", "$(VAR) sees only the variables defined before it")
        let readOnly = try await k.exec(pod, "reader", ["touch", "/from-writer/x"])
        XCTAssertNotEqual(readOnly.exitCode, 0, "a readOnly mount refuses writes")

        let writerEnv = try await k.exec(pod, "writer", ["env"]).output
        XCTAssertTrue(writerEnv.contains("PRICE=$5\n"), writerEnv)
        XCTAssertTrue(writerEnv.contains("POD_IP=\(ip)\n"), writerEnv)
        let readerEnv = try await k.exec(pod, "reader", ["env"]).output
        XCTAssertTrue(readerEnv.contains("NODE=testnode\n"), readerEnv)
        XCTAssertTrue(readerEnv.contains("IP=\(ip)\n"), readerEnv)
        XCTAssertTrue(readerEnv.contains("MEM=33554432\n"), readerEnv)

        let output1 = try await k.exec(pod, "reader", ["cat", "/etc/podinfo/labels"]).output
        XCTAssertEqual(output1, "tier=\"backend\"")
        let output2 = try await k.exec(pod, "reader", ["cat", "/etc/podinfo/mem"]).output
        XCTAssertEqual(output2, "32")
        let mounts = try await k.exec(pod, "reader", ["cat", "/proc/mounts"]).output
        XCTAssertTrue(mounts.contains(" /scratch tmpfs ") && mounts.contains("size=8192k"), mounts)

        let hosts = try await k.exec(pod, "reader", ["cat", "/etc/hosts"]).output
        XCTAssertTrue(hosts.contains("\(ip)\tenv-testnode\n"), hosts)
        XCTAssertTrue(hosts.contains("192.0.2.10\tdb.internal\tdb\n"), hosts)
    }

    func testCommandArgsWorkingDirDNSProjectedVolumeHostPortAndPullPolicies() async throws {
        let k = try KubeletHarness(self)
        try FileManager.default.createDirectory(atPath: k.root + "/configmaps/default/greeting", withIntermediateDirectories: true)
        try "hi".write(toFile: k.root + "/configmaps/default/greeting/text", atomically: true, encoding: .utf8)
        try k.write("spec.yaml", """
        apiVersion: v1
        kind: Pod
        metadata: {name: spec}
        spec:
          terminationGracePeriodSeconds: 1
          dnsPolicy: None
          dnsConfig: {nameservers: [192.0.2.53], searches: [example.test], options: [{name: ndots, value: "2"}]}
          volumes:
          - name: bundle
            projected:
              sources:
              - downwardAPI: {items: [{path: name, fieldRef: {fieldPath: metadata.name}}]}
              - configMap: {name: greeting, items: [{key: text, path: greeting}]}
          containers:
          - name: args
            image: \(image)
            workingDir: /etc
            env: [{name: WHO, value: args}]
            args: ["sh", "-c", "echo hello from $(WHO) in $(pwd); mkdir /www; echo page > /www/index.html; httpd -p 8080 -h /www; trap 'exit 0' TERM; while true; do sleep 0.2; done"]
            ports: [{containerPort: 8080, hostPort: 18080}]
            volumeMounts: [{name: bundle, mountPath: /bundle}]
          - name: present
            image: \(image)
            imagePullPolicy: Never
            command: \(idle)
          - name: missing
            image: 127.0.0.1:5000/test/missing:1
            imagePullPolicy: Never
            command: \(idle)
          - name: always
            image: \(image)
            imagePullPolicy: Always
            command: \(idle)
          - name: absent
            image: 127.0.0.1:5000/test/absent:1
            command: \(idle)
        """)
        let pod = try await k.waitForPod("spec", "args and present running, missing waiting") {
            $0.container("args")?.state?.running != nil && $0.container("present")?.state?.running != nil
                && $0.container("missing")?.state?.waiting?.reason == "ErrImageNeverPull"
        }
        XCTAssertEqual(pod.container("missing")?.state?.waiting?.message,
                       "Container image \"127.0.0.1:5000/test/missing:1\" is not present with pull policy of Never")
        XCTAssertEqual(pod.phase, .pending, "not every container could start")
        // Always pulls even though the image is there; a missing image fails to pull, then backs off.
        let always = try await k.waitForPod("spec", "always running, absent backing off") {
            $0.container("always")?.state?.running != nil && $0.container("absent")?.state?.waiting?.reason == "ImagePullBackOff"
        }
        let pulls = k.recorder.messages.filter { $0.contains("pulled image \(image) in") }
        XCTAssertEqual(pulls.count, 2, "args pulled it (IfNotPresent, not there yet), always pulled it again: \(pulls)")
        XCTAssertTrue(k.recorder.contains("container absent: ErrImagePull: failed to pull image \"127.0.0.1:5000/test/absent:1\""),
                      k.recorder.messages.joined(separator: "\n"))
        XCTAssertEqual(always.container("absent")?.state?.waiting?.message, "Back-off pulling image \"127.0.0.1:5000/test/absent:1\"")
        try await Task.sleep(for: .seconds(1))
        XCTAssertEqual(k.pod("spec")?.container("missing")?.state?.waiting?.reason, "ErrImageNeverPull", "Never means never: no pull")
        let pulled = try await k.cri.listImages().images.flatMap(\.repoTags)
        XCTAssertFalse(pulled.contains { $0.contains("missing") }, "\(pulled)")

        // args alone replace the image's Cmd (sh), with $(VAR) expanded and $(pwd) left to the shell.
        let logPath = k.logs + "/default_spec-testnode_\(pod.uid)/args/0.log"
        try await k.waitFor("the first line") { ((try? String(contentsOfFile: logPath, encoding: .utf8)) ?? "").contains("stdout") }
        XCTAssertTrue(try String(contentsOfFile: logPath, encoding: .utf8).contains(" stdout F hello from args in /etc\n"))

        let resolv = try await k.exec(pod, "present", ["cat", "/etc/resolv.conf"]).output
        for line in ["nameserver 192.0.2.53", "search example.test", "options ndots:2"] {
            XCTAssertTrue(resolv.contains(line + "\n"), "dnsPolicy None takes dnsConfig: \(resolv)")
        }
        XCTAssertFalse(resolv.contains("10.255.255.53"), resolv)
        let name = try await k.exec(pod, "args", ["cat", "/bundle/name"]).output
        XCTAssertEqual(name, "spec-testnode")
        let greeting = try await k.exec(pod, "args", ["cat", "/bundle/greeting"]).output
        XCTAssertEqual(greeting, "hi")

        // hostPort: the node's port 18080 reaches the container's 8080 (the node's network is
        // the test namespace skiff-cri runs in; its bridge address is one of the node's).
        try await k.waitFor("httpd") { try await k.exec(pod, "args", ["wget", "-qO-", "http://127.0.0.1:8080/index.html"]).exitCode == 0 }
        let page = try k.node.inNetns("curl", ["-s", "--max-time", "5", "http://10.88.0.1:18080/index.html"])
        XCTAssertEqual(page.stdout, "page\n", page.summary)
    }

    func testConfigMapsAndSecretsComeFromTheNodesFilesAndAPodWaitsForAMissingOne() async throws {
        let k = try KubeletHarness(self)
        try k.write("config.yaml", """
        apiVersion: v1
        kind: Pod
        metadata: {name: config}
        spec:
          terminationGracePeriodSeconds: 1
          volumes:
          - {name: settings, configMap: {name: app-settings}}
          - {name: creds, secret: {secretName: db, items: [{key: password, path: db/password}]}}
          containers:
          - name: app
            image: \(image)
            command: \(idle)
            env:
            - {name: PASSWORD, valueFrom: {secretKeyRef: {name: db, key: password}}}
            envFrom:
            - {configMapRef: {name: app-settings}, prefix: APP_}
            volumeMounts:
            - {name: settings, mountPath: /etc/settings}
            - {name: creds, mountPath: /etc/creds}
        """)
        let waiting = try await k.waitForPod("config", "waiting on the configmap") { $0.container("app")?.state?.waiting?.message?.contains("app-settings") == true }
        let reason = try XCTUnwrap(waiting.container("app")?.state?.waiting)
        XCTAssertEqual(reason.reason, "ContainerCreating")
        XCTAssertTrue(reason.message?.contains(k.root + "/configmaps/default/app-settings") == true, "\(reason)")
        XCTAssertEqual(waiting.phase, .pending)

        for (dir, key, value) in [("configmaps/default/app-settings", "color", "blue"), ("configmaps/default/app-settings", "size", "L"),
                                  ("secrets/default/db", "password", "s3cret")] {
            try FileManager.default.createDirectory(atPath: k.root + "/" + dir, withIntermediateDirectories: true)
            try value.write(toFile: k.root + "/\(dir)/\(key)", atomically: true, encoding: .utf8)
        }
        let pod = try await k.waitForPod("config", "Running") { $0.phase == .running }
        let output3 = try await k.exec(pod, "app", ["cat", "/etc/settings/color"]).output
        XCTAssertEqual(output3, "blue")
        let output4 = try await k.exec(pod, "app", ["cat", "/etc/creds/db/password"]).output
        XCTAssertEqual(output4, "s3cret")
        let env = try await k.exec(pod, "app", ["env"]).output
        XCTAssertTrue(env.contains("APP_color=blue\n") && env.contains("APP_size=L\n") && env.contains("PASSWORD=s3cret\n"), env)
        let mounts = try await k.exec(pod, "app", ["cat", "/proc/mounts"]).output
        XCTAssertTrue(mounts.contains(" /etc/creds tmpfs "), "secrets live in memory: \(mounts)")
    }

    func testMemoryLimitAndSecurityContextFromInside() async throws {
        let k = try KubeletHarness(self)
        try k.write("secure.yaml", """
        apiVersion: v1
        kind: Pod
        metadata: {name: secure}
        spec:
          terminationGracePeriodSeconds: 1
          securityContext: {fsGroup: 2000}
          volumes:
          - {name: data, emptyDir: {}}
          containers:
          - name: app
            image: \(image)
            command: \(idle)
            resources:
              requests: {cpu: 100m, memory: 32Mi}
              limits: {cpu: 500m, memory: 64Mi}
            securityContext:
              runAsUser: 1000
              runAsGroup: 3000
              readOnlyRootFilesystem: true
              allowPrivilegeEscalation: false
              capabilities: {drop: [ALL]}
            volumeMounts: [{name: data, mountPath: /data}]
          - name: root
            image: \(image)
            command: \(idle)
            securityContext: {capabilities: {add: [NET_ADMIN]}}
          - name: nonroot
            image: \(image)
            command: \(idle)
            securityContext: {runAsNonRoot: true}
        """)
        let pod = try await k.waitForPod("secure", "app and root running") {
            $0.container("app")?.state?.running != nil && $0.container("root")?.state?.running != nil
        }
        XCTAssertEqual(pod.status?.qosClass, .burstable)

        let id = try await k.exec(pod, "app", ["id"]).output
        XCTAssertTrue(id.hasPrefix("uid=1000(") && id.contains(" gid=3000 "), id)
        XCTAssertTrue(id.contains("2000"), "fsGroup is a supplemental group: \(id)")
        let touch = try await k.exec(pod, "app", ["touch", "/rootfile"])
        XCTAssertNotEqual(touch.exitCode, 0)
        XCTAssertTrue(touch.output.contains("Read-only file system"), touch.output)
        let output5 = try await k.exec(pod, "app", ["sh", "-c", "touch /data/ok && stat -c %g /data/ok"]).output
        XCTAssertEqual(output5, "2000\n",
                       "the emptyDir belongs to the fsGroup")
        let status = try await k.exec(pod, "app", ["cat", "/proc/self/status"]).output
        XCTAssertTrue(status.contains("CapEff:\t0000000000000000"), status)
        XCTAssertTrue(status.contains("NoNewPrivs:\t1"), status)
        let rootStatus = try await k.exec(pod, "root", ["cat", "/proc/self/status"]).output
        let capEff = rootStatus.split(separator: "\n").first { $0.hasPrefix("CapEff:") }.map { String($0.dropFirst(7)).trimmingCharacters(in: .whitespaces) } ?? ""
        XCTAssertEqual((UInt64(capEff, radix: 16) ?? 0) & (1 << 12), 1 << 12, "NET_ADMIN added: \(capEff)")
        let output6 = try await k.exec(pod, "root", ["id"]).output
        XCTAssertTrue(output6.hasPrefix("uid=0"))

        // The image runs as root, so runAsNonRoot without a runAsUser refuses to start it.
        let refused = try await k.waitForPod("secure", "nonroot refused") { $0.container("nonroot")?.state?.waiting?.reason == "CreateContainerConfigError" }
        XCTAssertTrue(refused.container("nonroot")?.state?.waiting?.message?.contains("runAsNonRoot") == true)

        // The limits in the cgroups: the container's and the pod's.
        let podCgroup = "kubepods/burstable/pod\(pod.uid)"
        let container = try k.containerID(pod, "app")
        XCTAssertEqual(try String(contentsOfFile: k.cgroupPath("memory", "\(podCgroup)/\(container)/memory.limit_in_bytes"), encoding: .utf8),
                       "67108864\n")
        XCTAssertEqual(try String(contentsOfFile: k.cgroupPath("cpu", "\(podCgroup)/\(container)/cpu.cfs_quota_us"), encoding: .utf8), "50000\n")
        XCTAssertEqual(try String(contentsOfFile: k.cgroupPath("cpu", "\(podCgroup)/\(container)/cpu.shares"), encoding: .utf8), "102\n")
        XCTAssertEqual(try String(contentsOfFile: k.cgroupPath("cpu", "\(podCgroup)/cpu.shares"), encoding: .utf8), "102\n",
                       "the pod cgroup's shares: its containers' requests (100m)")
        let inside = try await k.exec(pod, "app", ["cat", "/sys/fs/cgroup/memory/memory.limit_in_bytes"]).output
        XCTAssertEqual(inside, "67108864\n", "the limit is visible from inside the container")
    }
}

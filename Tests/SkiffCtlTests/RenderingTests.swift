// Tables, relative times, sizes and JSON/YAML output, without a daemon.
import CRIAPI
import Foundation
@testable import SkiffCtl
import XCTest

final class RenderingTests: XCTestCase {
    func testTableColumnsArePaddedAsCrictlsAndTheLastIsNot() {
        var table = TextTable(["POD ID", "NAME", "ATTEMPT"])
        table.append(["4f2a9c0b1d2e3", "a-rather-long-pod-name-here", "0"])
        XCTAssertEqual(table.text, """
            POD ID              NAME                          ATTEMPT
            4f2a9c0b1d2e3       a-rather-long-pod-name-here   0

            """)
    }

    func testRelativeTimesReadAsCrictlsDo() {
        let second: Int64 = 1_000_000_000
        XCTAssertEqual(HumanUnits.ago(0), "Less than a second ago")
        XCTAssertEqual(HumanUnits.ago(1 * second), "1 second ago")
        XCTAssertEqual(HumanUnits.ago(42 * second), "42 seconds ago")
        XCTAssertEqual(HumanUnits.ago(90 * second), "About a minute ago")
        XCTAssertEqual(HumanUnits.ago(17 * 60 * second), "17 minutes ago")
        XCTAssertEqual(HumanUnits.ago(65 * 60 * second), "About an hour ago")
        XCTAssertEqual(HumanUnits.ago(5 * 3600 * second), "5 hours ago")
        XCTAssertEqual(HumanUnits.ago(3 * 86400 * second), "3 days ago")
        XCTAssertEqual(HumanUnits.ago(21 * 86400 * second), "3 weeks ago")
        XCTAssertEqual(HumanUnits.ago(400 * 86400 * second), "13 months ago")
        XCTAssertEqual(HumanUnits.ago(800 * 86400 * second), "2 years ago")
    }

    func testSizesUseDecimalUnitsAndThreeDigits() {
        XCTAssertEqual(HumanUnits.size(0), "0B")
        XCTAssertEqual(HumanUnits.size(999), "999B")
        XCTAssertEqual(HumanUnits.size(742_123), "742kB")
        XCTAssertEqual(HumanUnits.size(4_266_000), "4.27MB")
        XCTAssertEqual(HumanUnits.size(1_000_000), "1MB")
        XCTAssertEqual(HumanUnits.size(12_340_000_000), "12.3GB")
    }

    func testIDsAreCutTo13Characters() {
        let id = "4f2a9c0b1d2e3f405162738495a6b7c8d9e0f1a2b3c4d5e6f708192a3b4c5d6e"
        XCTAssertEqual(HumanUnits.shortID(id), "4f2a9c0b1d2e3")
        XCTAssertEqual(HumanUnits.shortImageID("sha256:" + id), "4f2a9c0b1d2e3")
    }

    func testPodsTableShowsCrictlsColumns() {
        let now: Int64 = 1_800_000_000_000_000_000
        var pod = PodSandbox()
        pod.id = "4f2a9c0b1d2e3f405162738495a6b7c8d9e0f1a2b3c4d5e6f708192a3b4c5d6e"
        pod.metadata = PodSandboxMetadata(name: "web", uid: "u1", namespace: "default")
        pod.createdAt = now - 125 * 1_000_000_000
        pod.state = .ready
        XCTAssertEqual(ListPods().table([pod], now: now).text, """
            POD ID              CREATED             STATE               NAME                NAMESPACE           ATTEMPT             RUNTIME
            4f2a9c0b1d2e3       2 minutes ago       Ready               web                 default             0                   (default)

            """)
    }

    func testContainersTableNamesThePodAndTheImage() {
        let now: Int64 = 1_800_000_000_000_000_000
        var c = Container()
        c.id = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"
        c.podSandboxId = "4f2a9c0b1d2e3f405162738495a6b7c8d9e0f1a2b3c4d5e6f708192a3b4c5d6e"
        c.metadata = ContainerMetadata(name: "app", attempt: 2)
        c.image = ImageSpec(image: "sha256:aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa")
        c.state = .exited
        c.createdAt = now - 3 * 3600 * 1_000_000_000
        var image = CRIAPI.Image()
        image.id = c.image.image
        image.repoTags = ["busybox:1"]
        XCTAssertEqual(ListContainers().table([c], podNames: [c.podSandboxId: "web"], images: [image], now: now).text, """
            CONTAINER           IMAGE               CREATED             STATE               NAME                ATTEMPT             POD ID              POD
            0123456789abc       busybox:1           3 hours ago         Exited              app                 2                   4f2a9c0b1d2e3       web

            """)
    }

    func testImagesTableHasARowPerTagAndNoneForUntagged() {
        var tagged = CRIAPI.Image()
        tagged.id = "sha256:aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
        tagged.repoTags = ["127.0.0.1:5000/test/busybox:1", "docker.io/library/busybox:latest"]
        tagged.repoDigests = ["127.0.0.1:5000/test/busybox@sha256:bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb"]
        tagged.size = 1_234_567
        var untagged = CRIAPI.Image()
        untagged.id = "sha256:cccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccc"
        untagged.size = 10
        var list = ListImages()
        XCTAssertEqual(list.table([tagged, untagged]).text, """
            IMAGE                         TAG                 IMAGE ID            SIZE
            127.0.0.1:5000/test/busybox   1                   aaaaaaaaaaaaa       1.23MB
            docker.io/library/busybox     latest              aaaaaaaaaaaaa       1.23MB
            <none>                        <none>              ccccccccccccc       10B

            """)
        list.digests = true
        XCTAssertTrue(list.table([tagged]).text.contains("1                   bbbbbbbbbbbbb       aaaaaaaaaaaaa"), list.table([tagged]).text)
    }

    func testJSONAndYAMLOfAMessageReadBackTheSame() throws {
        var pod = PodSandbox()
        pod.id = "abc"
        pod.metadata = PodSandboxMetadata(name: "web", uid: "u1", namespace: "default")
        // Values YAML would read as other types unless quoted.
        pod.labels = ["enabled": "true", "port": "8080", "empty": "", "nothing": "null", "multi": "a\nb"]
        pod.createdAt = 1_800_000_000_123_456_789
        let value = try JSONValue(encoding: ListPodSandboxResponse(items: [pod]))

        let json = try Document.text(value, .json)
        XCTAssertTrue(json.contains("\"createdAt\" : 1800000000123456789"), json)
        XCTAssertEqual(try JSONValue.parse(Data(json.utf8)), value)
        let back = try CRICodec.decode(ListPodSandboxResponse.self, from: Data(json.utf8))
        XCTAssertEqual(back.items, [pod])

        let yaml = try Document.text(value, .yaml)
        XCTAssertTrue(yaml.contains("state: SANDBOX_READY"), yaml)
        XCTAssertEqual(try JSONValue(yaml: yaml, what: "output"), value, yaml)
    }

    func testInspectionShowsInfoValuesAsTheJSONTheyHold() throws {
        var status = ContainerStatus()
        status.id = "c1"
        let doc = try Document.inspection(status: status, info: ["info": #"{"pid": 42, "runtimeSpec": {"ociVersion": "1.2.0"}}"#, "note": "plain"])
        XCTAssertEqual(doc["info"]?["info"]?["pid"], .int(42))
        XCTAssertEqual(doc["info"]?["note"], .string("plain"))
        XCTAssertEqual(doc["status"]?["id"], .string("c1"))
    }
}

final class StatsAndEventsRenderingTests: XCTestCase {
    func testCPUPercentComesFromTwoReadingsOrTheRuntimesRate() {
        var before = CpuUsage()
        before.timestamp = 1_000_000_000
        before.usageCoreNanoSeconds = UInt64Value(5_000_000_000)
        var after = CpuUsage()
        after.timestamp = 2_000_000_000
        after.usageCoreNanoSeconds = UInt64Value(5_250_000_000)
        XCTAssertEqual(cpuPercent(before, after), "25.00", "a quarter of a core over one second")
        after.usageNanoCores = UInt64Value(1_500_000_000)
        XCTAssertEqual(cpuPercent(before, after), "150.00", "the runtime's own rate wins")
        XCTAssertEqual(cpuPercent(nil, nil), "-")
        XCTAssertEqual(formatPercent(0.056), "0.06")
    }

    func testEventsAreOneJSONLinePerEventOrATableRow() throws {
        var event = ContainerEventResponse(containerId: "0123456789abcdef", containerEventType: .started, createdAt: 1_800_000_000_000_000_000)
        event.podSandboxStatus = PodSandboxStatus.with { $0.metadata.name = "web" }
        let json = try WatchEvents.render(event, .json)
        XCTAssertEqual(json.filter { $0 == "\n" }.count, 1)
        XCTAssertEqual(try CRICodec.decode(ContainerEventResponse.self, from: Data(json.utf8)), event)
        let row = try WatchEvents.render(event, .table)
        XCTAssertTrue(row.hasPrefix("2027-01-15T08:00:00.000000000Z   0123456789abc"), row)
        XCTAssertTrue(row.hasSuffix("Started             web\n"), row)
        XCTAssertTrue(try WatchEvents.render(event, .yaml).hasPrefix("---\n"))
    }
}

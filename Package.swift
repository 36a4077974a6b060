// swift-tools-version:6.2
import PackageDescription

let package = Package(
    name: "skiff",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "skiff-runtime", targets: ["skiff-runtime"]),
        .executable(name: "skiff-pause", targets: ["skiff-pause"]),
        .executable(name: "skiff-monitor", targets: ["skiff-monitor"]),
        .executable(name: "skiff-cri", targets: ["skiff-cri"]),
        .executable(name: "skiffctl", targets: ["skiffctl"]),
        .executable(name: "skiff-kubelet", targets: ["skiff-kubelet"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-crypto", from: "3.12.3"),
        .package(url: "https://github.com/swift-server/async-http-client", from: "1.37.0"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.2"),
        // TLS for the kubelet's HTTPS probes and hooks (async-http-client already brings it in).
        .package(url: "https://github.com/apple/swift-nio-ssl", from: "2.37.6"),
        // traits: [] keeps Foundation out: the daemon runs the OCI runtime and CNI plugins with it.
        .package(url: "https://github.com/swiftlang/swift-subprocess", from: "1.0.2", traits: []),
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        // YAML (skiffctl and kubelet configs, manifests). It pulls ICU into a static link: these stay dynamic.
        .package(url: "https://github.com/jpsim/Yams", from: "5.0.1"),
    ],
    targets: [
        // C: raw syscalls and the few things Swift cannot call (variadic, _GNU_SOURCE-only, macros).
        .target(name: "CSkiffSystem", cSettings: [.define("_GNU_SOURCE")]),
        .systemLibrary(name: "CSeccomp", pkgConfig: "libseccomp", providers: [.apt(["libseccomp-dev"])]),
        .systemLibrary(name: "CCap", pkgConfig: "libcap", providers: [.apt(["libcap-dev"])]),
        .systemLibrary(name: "CZlib", pkgConfig: "zlib", providers: [.apt(["zlib1g-dev"])]),
        .systemLibrary(name: "CZstd", pkgConfig: "libzstd", providers: [.apt(["libzstd-dev"])]),

        .target(name: "OCISpec"),
        .target(name: "RuntimeCore", dependencies: ["OCISpec", "CSkiffSystem", "CSeccomp", "CCap"]),
        // Images: content store, references, layer unpacking, overlay snapshots (skiff-cri's ImageService).
        .target(name: "ImageStore", dependencies: [
            "OCISpec", "RuntimeCore", "CZlib", "CZstd", "CSkiffSystem",
            .product(name: "Crypto", package: "swift-crypto"),
            .product(name: "AsyncHTTPClient", package: "async-http-client"),
            .product(name: "NIOCore", package: "swift-nio"),
            .product(name: "NIOHTTP1", package: "swift-nio"),
        ]),
        // CRI over HTTP/1.1 + JSON on a Unix socket: the messages, codec, server transport and client.
        .target(name: "CRIAPI", dependencies: [
            .product(name: "NIOCore", package: "swift-nio"),
            .product(name: "NIOPosix", package: "swift-nio"),
            .product(name: "NIOHTTP1", package: "swift-nio"),
        ]),
        // Pod sandbox networking: network namespaces and CNI plugins (skiff-cri's RunPodSandbox).
        .target(name: "PodNetwork", dependencies: ["CSkiffSystem"]),
        // CRI streaming (Exec, Attach, PortForward): Kubernetes' WebSocket channel protocol, the
        // daemon's streaming server and the client skiffctl uses.
        .target(name: "CRIStreaming", dependencies: [
            "CSkiffSystem",
            .product(name: "NIOCore", package: "swift-nio"),
            .product(name: "NIOPosix", package: "swift-nio"),
            .product(name: "NIOHTTP1", package: "swift-nio"),
            .product(name: "NIOWebSocket", package: "swift-nio"),
        ]),
        // The CRI daemon's logic: sandboxes, containers, exec, stats, images, over the libraries above.
        .target(name: "CRIServer", dependencies: [
            "CRIAPI", "CRIStreaming", "ImageStore", "RuntimeCore", "OCISpec", "PodNetwork", "ContainerMonitor", "CSkiffSystem",
            .product(name: "Subprocess", package: "swift-subprocess"),
        ]),
        .executableTarget(name: "skiff-cri", dependencies: [
            "CRIServer", "ImageStore", .product(name: "ArgumentParser", package: "swift-argument-parser"),
        ]),
        // crictl's verbs over the CRI client: rendering, id prefixes, config files, logs.
        .target(name: "SkiffCtl", dependencies: [
            "CRIAPI", "CRIStreaming", "ContainerMonitor", .product(name: "Yams", package: "Yams"),
        ]),
        .executableTarget(name: "skiffctl", dependencies: [
            "SkiffCtl", "CRIAPI", .product(name: "ArgumentParser", package: "swift-argument-parser"),
        ]),
        // Kubernetes core/v1 types (Pod, PodSpec, PodStatus, Quantity...), Codable with the API's JSON names.
        .target(name: "KubeAPI"),
        // The node agent's logic: static pod manifests, pod workers, PLEG, probes, hooks, volumes,
        // status, over CRI; and its HTTP API (swift-nio), which proxies exec/attach/port-forward streams.
        .target(name: "Kubelet", dependencies: [
            "KubeAPI", "CRIAPI", "CRIStreaming", "ContainerMonitor", "PodNetwork",
            .product(name: "Crypto", package: "swift-crypto"),
            .product(name: "NIOCore", package: "swift-nio"),
            .product(name: "NIOPosix", package: "swift-nio"),
            .product(name: "NIOHTTP1", package: "swift-nio"),
            .product(name: "NIOSSL", package: "swift-nio-ssl"),
            .product(name: "Yams", package: "Yams"),
        ]),
        .executableTarget(name: "skiff-kubelet", dependencies: [
            "Kubelet", .product(name: "ArgumentParser", package: "swift-argument-parser"),
        ]),
        // Its own small flag parser: see Sources/skiff-runtime/CommandLine.swift for why.
        .executableTarget(name: "skiff-runtime", dependencies: ["RuntimeCore", "OCISpec"]),
        // The pod sandbox's infra process: Glibc only, built static like the runtime.
        .executableTarget(name: "skiff-pause"),

        // The per-container monitor (conmon's role). C, -O2 and static even in debug builds: a pod's
        // monitors must stay under 2 MB resident together (static glibc: ~0.6 MB each; see main.c).
        .executableTarget(name: "skiff-monitor",
                          cSettings: [.define("_GNU_SOURCE"), .unsafeFlags(["-O2", "-std=c11"])],
                          linkerSettings: [.unsafeFlags(["-nostartfiles", "-static-executable"])]),
        // The daemon's side of the monitor: launch it, read exit files and CRI logs, attach, control.
        .target(name: "ContainerMonitor", dependencies: ["CSkiffSystem"]),

        // Running programs from tests without Foundation.Process (see Command.swift).
        .target(name: "TestSupport", dependencies: ["OCISpec"], path: "Tests/TestSupport"),
        // A real skiff-cri in a test network namespace, with a registry holding the test image:
        // for the daemon's, skiffctl's and the kubelet's tests.
        .target(name: "NodeTestSupport", dependencies: ["CRIAPI", "TestSupport"], path: "Tests/NodeTestSupport"),
        .testTarget(name: "OCISpecTests", dependencies: ["OCISpec"]),
        .testTarget(name: "RuntimeCoreTests", dependencies: ["RuntimeCore", "OCISpec", "TestSupport"]),
        .testTarget(name: "ImageStoreTests", dependencies: ["ImageStore", "OCISpec", "TestSupport"]),
        .testTarget(name: "CRIServerTests", dependencies: ["CRIServer", "CRIAPI", "CRIStreaming", "ContainerMonitor", "PodNetwork", "TestSupport", "NodeTestSupport"]),
        .testTarget(name: "SkiffCtlTests", dependencies: ["SkiffCtl", "CRIAPI", "ContainerMonitor", "TestSupport", "NodeTestSupport"]),
        .testTarget(name: "KubeAPITests", dependencies: ["KubeAPI"]),
        .testTarget(name: "KubeletTests", dependencies: [
            "Kubelet", "KubeAPI", "CRIAPI", "CRIStreaming", "PodNetwork", "TestSupport", "NodeTestSupport",
            .product(name: "AsyncHTTPClient", package: "async-http-client"),
            .product(name: "NIOCore", package: "swift-nio"),
            .product(name: "NIOHTTP1", package: "swift-nio"),
        ]),
        .testTarget(name: "CRIAPITests", dependencies: ["CRIAPI", "TestSupport"]),
        .testTarget(name: "CRIStreamingTests", dependencies: ["CRIStreaming", "PodNetwork", "TestSupport"]),
        .testTarget(name: "PodNetworkTests", dependencies: ["PodNetwork", "TestSupport"]),
        .testTarget(name: "ContainerMonitorTests", dependencies: ["ContainerMonitor", "OCISpec", "TestSupport"]),
        // Drives the built skiff-runtime from peers (podman); needs root and the test image.
        .testTarget(name: "InteropTests", dependencies: ["TestSupport"]),
    ]
)

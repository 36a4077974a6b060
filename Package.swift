// swift-tools-version:6.0
import PackageDescription

let package = Package(
    name: "skiff",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "skiff-runtime", targets: ["skiff-runtime"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-crypto", from: "3.12.3"),
        .package(url: "https://github.com/swift-server/async-http-client", from: "1.37.0"),
    ],
    targets: [
        // C: raw syscalls and the few things Swift cannot call (variadic, _GNU_SOURCE-only, macros).
        .target(name: "CSkiffSystem", cSettings: [.define("_GNU_SOURCE")]),
        .systemLibrary(name: "CSeccomp", pkgConfig: "libseccomp", providers: [.apt(["libseccomp-dev"])]),
        .systemLibrary(name: "CCap", pkgConfig: "libcap", providers: [.apt(["libcap-dev"])]),
        .systemLibrary(name: "CZlib", pkgConfig: "zlib", providers: [.apt(["zlib1g-dev"])]),

        .target(name: "OCISpec"),
        .target(name: "RuntimeCore", dependencies: ["OCISpec", "CSkiffSystem", "CSeccomp", "CCap"]),
        // Images: content store, references, layer unpacking, overlay snapshots (skiff-cri's ImageService).
        .target(name: "ImageStore", dependencies: [
            "OCISpec", "RuntimeCore", "CZlib", "CSkiffSystem",
            .product(name: "Crypto", package: "swift-crypto"),
            .product(name: "AsyncHTTPClient", package: "async-http-client"),
        ]),
        // Pod sandbox networking: network namespaces and CNI plugins (skiff-cri's RunPodSandbox).
        .target(name: "PodNetwork", dependencies: ["CSkiffSystem"]),
        // Its own small flag parser: see Sources/skiff-runtime/CommandLine.swift for why.
        .executableTarget(name: "skiff-runtime", dependencies: ["RuntimeCore", "OCISpec"]),

        // Running programs from tests without Foundation.Process (see Command.swift).
        .target(name: "TestSupport", dependencies: ["OCISpec"], path: "Tests/TestSupport"),
        .testTarget(name: "OCISpecTests", dependencies: ["OCISpec"]),
        .testTarget(name: "RuntimeCoreTests", dependencies: ["RuntimeCore", "OCISpec", "TestSupport"]),
        .testTarget(name: "ImageStoreTests", dependencies: ["ImageStore", "OCISpec", "TestSupport"]),
        .testTarget(name: "PodNetworkTests", dependencies: ["PodNetwork", "TestSupport"]),
        // Drives the built skiff-runtime from peers (podman); needs root and the test image.
        .testTarget(name: "InteropTests", dependencies: ["TestSupport"]),
    ]
)

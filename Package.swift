// swift-tools-version:6.0
import PackageDescription

let package = Package(
    name: "skiff",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "skiff-runtime", targets: ["skiff-runtime"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
    ],
    targets: [
        // C: raw syscalls and the few things Swift cannot call (variadic, _GNU_SOURCE-only, macros).
        .target(name: "CSystem", cSettings: [.define("_GNU_SOURCE")]),
        .systemLibrary(name: "CSeccomp", pkgConfig: "libseccomp", providers: [.apt(["libseccomp-dev"])]),
        .systemLibrary(name: "CCap", pkgConfig: "libcap", providers: [.apt(["libcap-dev"])]),

        .target(name: "OCISpec"),
        .target(name: "RuntimeCore", dependencies: ["OCISpec", "CSystem", "CSeccomp", "CCap"]),
        .executableTarget(name: "skiff-runtime", dependencies: [
            "RuntimeCore", "OCISpec",
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
        ]),

        // Running programs from tests without Foundation.Process (see Command.swift).
        .target(name: "TestSupport", path: "Tests/TestSupport"),
        .testTarget(name: "OCISpecTests", dependencies: ["OCISpec"]),
        .testTarget(name: "RuntimeCoreTests", dependencies: ["RuntimeCore", "OCISpec", "TestSupport"]),
        // Drives the built skiff-runtime from peers (podman); needs root and the test image.
        .testTarget(name: "InteropTests", dependencies: ["TestSupport"]),
    ]
)

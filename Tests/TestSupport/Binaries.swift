// The project's binaries for tests: from the environment when ./hack/test sets them (the static
// release builds), else the ones built with the tests.
import Foundation

public enum Binaries {
    /// $SKIFF_RUNTIME, else the debug skiff-runtime.
    public static var runtime: String { env("SKIFF_RUNTIME") ?? built("skiff-runtime") }
    public static var monitor: String { env("SKIFF_MONITOR") ?? built("skiff-monitor") }
    public static var cri: String { env("SKIFF_CRI") ?? built("skiff-cri") }
    public static var ctl: String { env("SKIFF_CTL") ?? built("skiffctl") }
    /// The pause binary must be static (it runs in a rootfs holding nothing else): $SKIFF_PAUSE,
    /// else the static release build hack/test makes.
    public static var pause: String { env("SKIFF_PAUSE") ?? packageRoot + "/.build-static/release/skiff-pause" }
    public static var testRootfs: String { env("SKIFF_TEST_ROOTFS") ?? packageRoot + "/rootfs/out/busybox" }
    public static var testOCILayout: String { env("SKIFF_TEST_OCI_LAYOUT") ?? packageRoot + "/rootfs/out/busybox-oci" }

    public static var packageRoot: String {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().path
    }

    /// Beside the test bundle (where `swift build --build-tests` puts executables), else .build/debug.
    public static func built(_ name: String) -> String {
        let tests = Bundle.main.bundleURL.deletingLastPathComponent()
        for candidate in [tests.appendingPathComponent(name).path, tests.deletingLastPathComponent().appendingPathComponent(name).path]
        where FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
        return packageRoot + "/.build/debug/" + name
    }

    private static func env(_ name: String) -> String? {
        ProcessInfo.processInfo.environment[name].flatMap { $0.isEmpty ? nil : $0 }
    }
}

// linux.seccomp → a libseccomp filter loaded into the calling process.
import OCISpec

public enum SeccompFilter {
    /// Checks a profile without loading it (create fails early, naming the field).
    public static func validate(_ profile: Seccomp) throws {}

    /// Builds and loads the filter into the current process. Call as late as possible.
    public static func load(_ profile: Seccomp) throws {}
}

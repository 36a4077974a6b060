// `skiffctl pull`: fetch an image, with registry credentials when given.
import CRIAPI

public struct PullImage: Sendable {
    public var image: String
    /// "user:password" (--creds), or base64 of it (--auth).
    public var creds: String?
    public var auth: String?
    public var username: String?
    public var password: String?
    /// A pod-config file, passed to the runtime for handler-specific pulls.
    public var podConfig: String?

    public init(image: String) {
        self.image = image
    }

    public func run(_ context: CtlContext) async throws {
        var request = PullImageRequest(image: ImageSpec(image: image))
        request.auth = try authConfig()
        if let podConfig { request.sandboxConfig = try ConfigFile.load(PodSandboxConfig.self, from: podConfig) }
        let response = try await CtlError.during("pulling image \(image)") {
            try await context.images.pullImage(request)
        }
        context.console.line("Image is up to date for \(response.imageRef)")
    }

    func authConfig() throws -> AuthConfig? {
        if let creds {
            guard let colon = creds.firstIndex(of: ":") else {
                throw CtlError("--creds", "expected USERNAME:PASSWORD")
            }
            return AuthConfig.with {
                $0.username = String(creds[..<colon])
                $0.password = String(creds[creds.index(after: colon)...])
            }
        }
        if let auth { return AuthConfig.with { $0.auth = auth } }
        if let username {
            return AuthConfig.with {
                $0.username = username
                $0.password = password ?? ""
            }
        }
        return nil
    }
}

extension CtlContext {
    /// Pulls `image` unless the node has it (what `create` and `run` do first).
    func ensureImage(_ image: String, sandboxConfig: PodSandboxConfig?) async throws {
        guard try await self.image(image) == nil else { return }
        _ = try await CtlError.during("pulling image \(image)") {
            try await images.pullImage(PullImageRequest(image: ImageSpec(image: image), sandboxConfig: sandboxConfig))
        }
    }
}

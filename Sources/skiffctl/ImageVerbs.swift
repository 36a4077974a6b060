// Image verbs: images, pull, rmi, inspecti.
import ArgumentParser
import SkiffCtl

struct Images: Verb {
    static let configuration = CommandConfiguration(abstract: "List images.")

    @Flag(name: .shortAndLong, help: "Only image ids.") var quiet = false
    @Flag(help: "Show digests.") var digests = false
    @Flag(help: "Full ids.") var noTrunc = false
    @Option(name: .shortAndLong, help: "json, yaml or table.") var output: OutputFormat = .table
    @Argument(help: "REPOSITORY[:TAG]: only this image.") var image: String?

    func execute(_ context: CtlContext) async throws -> Int32 {
        var command = ListImages()
        command.filter = image
        command.quiet = quiet
        command.digests = digests
        command.noTrunc = noTrunc
        command.output = output
        try await command.run(context)
        return 0
    }
}

struct Pull: Verb {
    static let configuration = CommandConfiguration(abstract: "Pull an image.")

    @Option(help: "Registry credentials, USERNAME:PASSWORD.") var creds: String?
    @Option(help: "Registry credentials, base64 of USERNAME:PASSWORD.") var auth: String?
    @Option(name: [.customShort("u"), .long], help: "Registry user name.") var username: String?
    @Option(help: "Registry password (with --username).") var password: String?
    @Option(help: "A pod-config file, for runtime-handler-specific pulls.") var podConfig: String?
    @Argument(help: "The image reference.") var image: String

    func execute(_ context: CtlContext) async throws -> Int32 {
        var command = PullImage(image: image)
        command.creds = creds
        command.auth = auth
        command.username = username
        command.password = password
        command.podConfig = podConfig
        try await command.run(context)
        return 0
    }
}

struct Rmi: Verb {
    static let configuration = CommandConfiguration(abstract: "Remove images.")

    @Flag(name: .shortAndLong, help: "Remove every image.") var all = false
    @Flag(name: [.customShort("q"), .long], help: "Remove every image no container uses.") var prune = false
    @Argument(help: "Image names, ids or id prefixes.") var images: [String] = []

    func execute(_ context: CtlContext) async throws -> Int32 {
        var command = RemoveImages()
        command.images = images
        command.all = all
        command.prune = prune
        try await command.run(context)
        return 0
    }
}

struct InspectI: Verb {
    static let configuration = CommandConfiguration(commandName: "inspecti", abstract: "Show images' status.")

    @Option(name: .shortAndLong, help: "json, yaml or table.") var output: OutputFormat = .json
    @Argument(help: "Image names, ids or id prefixes.") var images: [String]

    func execute(_ context: CtlContext) async throws -> Int32 {
        var command = InspectImages(images: images)
        command.output = output
        try await command.run(context)
        return 0
    }
}

struct ImageFsInfo: Verb {
    static let configuration = CommandConfiguration(commandName: "imagefsinfo", abstract: "Show the image filesystem's usage.")

    @Option(name: .shortAndLong, help: "json, yaml or table.") var output: OutputFormat = .json

    func execute(_ context: CtlContext) async throws -> Int32 {
        var command = ShowImageFsInfo()
        command.output = output
        try await command.run(context)
        return 0
    }
}

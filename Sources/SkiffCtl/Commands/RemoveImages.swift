// `skiffctl rmi`: remove images by name, id or id prefix; --all, or --prune (those no container uses).
import CRIAPI

public struct RemoveImages: Sendable {
    public var images: [String] = []
    public var all = false
    public var prune = false

    public init() {}

    public func run(_ context: CtlContext) async throws {
        var targets: [CRIAPI.Image] = []
        if all || prune {
            targets = try await CtlError.during("listing images") { try await context.images.listImages().images }
            if prune {
                let containers = try await CtlError.during("listing containers") { try await context.runtime.listContainers().containers }
                let used = Set(containers.flatMap { [$0.imageRef, $0.imageId, $0.image.image] })
                targets = targets.filter { !used.contains($0.id) }
            }
        } else {
            guard !images.isEmpty else { throw CtlError("rmi", "name at least one image (or use --all or --prune)") }
            for name in images {
                guard let image = try await context.image(name) else {
                    throw CtlError("removing image \(name)", "no such image")
                }
                targets.append(image)
            }
        }
        var failures: [CtlError] = []
        for image in targets {
            do {
                try await CtlError.during("removing image \(image.repoTags.first ?? image.id)") {
                    _ = try await context.images.removeImage(RemoveImageRequest(image: ImageSpec(image: image.id)))
                }
                for name in image.repoTags.isEmpty ? [image.id] : image.repoTags {
                    context.console.line("Deleted: \(name)")
                }
            } catch let error as CtlError {
                failures.append(error)
            }
        }
        // Every image that can go goes; then the first failure is the error.
        if let first = failures.first {
            for other in failures.dropFirst() { context.console.write("skiffctl: \(other)\n", to: .stderr) }
            throw first
        }
    }
}

// A pull's registry part in a short-lived process (`skiff-cri fetch-image`): the registry
// client, TLS and decompression run there and leave with it, so the resident daemon neither
// maps that code nor keeps its buffers. The process writes only blobs and snapshots (content-
// addressed, safe to share) and prints what it fetched; the daemon records the image.
import Foundation
import ImageStore
import RuntimeCore

struct FetchProcess: Sendable {
    let command: [String]
    let root: String

    /// What the process reads on stdin: the credentials the caller passed, by registry host.
    struct Input: Codable { var credentials: [String: RegistryCredentials] }

    func fetch(_ reference: String, options: PullOptions) async throws -> FetchedImage {
        var arguments = Array(command.dropFirst()) + ["--root", root]
        for registry in options.insecureRegistries.sorted() { arguments += ["--insecure-registry", registry] }
        arguments.append(reference)
        let input = try JSONEncoder().encode(Input(credentials: options.credentials))
        // No deadline of its own (a big image on a slow link takes long): CRI callers bound a
        // pull themselves.
        let result = try await ProcessCall.run(command[0], arguments, input: Array(input), timeout: .seconds(24 * 3600))
        guard result.status == 0 else {
            let said = result.stderrText
            throw RuntimeError(said.isEmpty ? "the fetch process (\(command[0])) exited with status \(result.status)" : said)
        }
        do { return try JSONDecoder().decode(FetchedImage.self, from: Data(result.stdout)) } catch {
            throw RuntimeError("the fetch process (\(command[0])) printed no fetched image: \(error)")
        }
    }
}

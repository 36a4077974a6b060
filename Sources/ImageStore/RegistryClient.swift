// Talks to one repository of an OCI distribution registry over AsyncHTTPClient: GETs of
// manifests and blobs, HTTPS unless the registry is marked insecure, and authentication as
// containerd does it: anonymous first; on 401 a Bearer challenge is answered with a token
// from its realm (with the caller's basic credentials, if any) and a Basic challenge with the
// caller's credentials; the request is then retried once with the Authorization header.
import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1
import RuntimeCore

final class RegistryClient: @unchecked Sendable {
    let reference: ImageReference
    let baseURL: String
    let credentials: RegistryCredentials?
    private let http: HTTPClient
    private let lock = NSLock()
    /// The Authorization header that last worked (shared by the parallel layer fetches).
    private var authorization: String?

    /// One client for every pull (its connection pool is shared and it lives as long as the
    /// process). The read timeout catches a registry that stalls mid-blob; the connect
    /// timeout, one that never answers (or speaks plain HTTP where we expect TLS).
    static let sharedHTTP = HTTPClient(eventLoopGroupProvider: .singleton, configuration: .init(
        timeout: .init(connect: .seconds(10), read: .seconds(60))))

    init(reference: ImageReference, options: PullOptions, http: HTTPClient = RegistryClient.sharedHTTP) {
        self.reference = reference
        // Docker Hub's API lives on registry-1.docker.io, not on the name's domain.
        let host = reference.domain == ImageReference.defaultDomain ? "registry-1.docker.io" : reference.domain
        let scheme = options.insecureRegistries.contains(reference.domain) ? "http" : "https"
        baseURL = "\(scheme)://\(host)/v2/\(reference.path)"
        credentials = options.credentials[reference.domain]
        self.http = http
    }

    var repository: String { reference.name }

    /// GET /v2/<repo>/<kind>/<ref>, authenticating on 401. The caller reads the body.
    func get(_ kind: String, _ ref: String, accept: [String] = [], timeout: TimeAmount) async throws -> HTTPClientResponse {
        let url = "\(baseURL)/\(kind)/\(ref)"
        var response = try await send(url, accept: accept, timeout: timeout)
        if response.status == .unauthorized {
            let header = response.headers["WWW-Authenticate"].first ?? ""
            try await drain(response)
            guard let challenge = RegistryAuthChallenge(header: header) else {
                throw RuntimeError("pull \(repository): GET \(url): 401 with no usable WWW-Authenticate challenge (\"\(header)\")")
            }
            let auth = try await authorize(challenge)
            lock.withLock { authorization = auth }
            response = try await send(url, accept: accept, timeout: timeout)
        }
        guard response.status == .ok else {
            let body = (try? await response.body.collect(upTo: 4096)).map { String(buffer: $0) } ?? ""
            throw RuntimeError("pull \(repository): GET \(url): \(response.status.code) \(response.status.reasonPhrase) \(body)")
        }
        return response
    }

    private func send(_ url: String, accept: [String], timeout: TimeAmount) async throws -> HTTPClientResponse {
        var request = HTTPClientRequest(url: url)
        if !accept.isEmpty { request.headers.add(name: "Accept", value: accept.joined(separator: ", ")) }
        if let auth = lock.withLock({ authorization }) { request.headers.add(name: "Authorization", value: auth) }
        do { return try await http.execute(request, timeout: timeout) } catch {
            throw RuntimeError("pull \(repository): GET \(url): \(error)")
        }
    }

    /// The Authorization header value that answers `challenge`.
    private func authorize(_ challenge: RegistryAuthChallenge) async throws -> String {
        switch challenge.scheme {
        case .basic:
            guard let credentials else {
                throw RuntimeError("pull \(repository): registry \(reference.domain) asks for basic credentials and none were given")
            }
            return "Basic \(RegistryClient.basic(credentials))"
        case .bearer:
            return "Bearer \(try await fetchToken(challenge))"
        }
    }

    /// GET realm?service=...&scope=... (distribution's token spec); the scope defaults to pull
    /// of this repository when the challenge names none.
    private func fetchToken(_ challenge: RegistryAuthChallenge) async throws -> String {
        guard let realm = challenge.realm, var url = URLComponents(string: realm) else {
            throw RuntimeError("pull \(repository): Bearer challenge has no usable realm (\(challenge.parameters))")
        }
        var query = url.queryItems ?? []
        if let service = challenge.service { query.append(URLQueryItem(name: "service", value: service)) }
        query.append(URLQueryItem(name: "scope", value: challenge.scope ?? "repository:\(reference.path):pull"))
        url.queryItems = query
        guard let tokenURL = url.string else { throw RuntimeError("pull \(repository): bad token realm \(realm)") }
        var request = HTTPClientRequest(url: tokenURL)
        if let credentials { request.headers.add(name: "Authorization", value: "Basic \(RegistryClient.basic(credentials))") }
        let response: HTTPClientResponse
        do { response = try await http.execute(request, timeout: .seconds(60)) } catch {
            throw RuntimeError("pull \(repository): token request to \(realm): \(error)")
        }
        let body = try await response.body.collect(upTo: 1 << 20)
        guard response.status == .ok else {
            throw RuntimeError("pull \(repository): token request to \(realm): \(response.status.code) \(String(buffer: body))")
        }
        struct TokenResponse: Decodable { var token: String?; var access_token: String? }
        guard let parsed = try? JSONDecoder().decode(TokenResponse.self, from: Data(Array(buffer: body))),
              let token = parsed.token ?? parsed.access_token, !token.isEmpty else {
            throw RuntimeError("pull \(repository): token response from \(realm) has no token")
        }
        return token
    }

    private func drain(_ response: HTTPClientResponse) async throws {
        for try await _ in response.body {}
    }

    static func basic(_ c: RegistryCredentials) -> String {
        Data("\(c.username):\(c.password)".utf8).base64EncodedString()
    }
}

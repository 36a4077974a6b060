// crictl's pod-config and container-config files, in JSON or YAML, with the proto's snake_case
// field names or lowerCamelCase (the codec accepts both).
import CRIAPI
import Foundation

public enum ConfigFile {
    /// The message in the file at `path`; errors name the file and, for a bad field, where.
    public static func load<Message: CRIMessage>(_ type: Message.Type, from path: String) throws -> Message {
        let data: Data
        do {
            data = try Data(contentsOf: URL(fileURLWithPath: path))
        } catch {
            throw CtlError("reading \(path)", Self.reason(error))
        }
        return try decode(type, from: data, what: path)
    }

    /// The message in `data`: JSON as it is, anything else read as YAML first.
    public static func decode<Message: CRIMessage>(_ type: Message.Type, from data: Data, what: String) throws -> Message {
        var json = data
        if (try? JSONValue.parse(data)) == nil {
            let value = try JSONValue(yaml: String(decoding: data, as: UTF8.self), what: what)
            guard case .object = value else {
                throw CtlError("reading \(what)", "expected a mapping of fields at the top")
            }
            json = try value.jsonData()
        }
        do {
            return try CRICodec.decode(type, from: json)
        } catch let error as CRIError {
            throw CtlError("reading \(what)", error.message)
        }
    }

    private static func reason(_ error: any Error) -> String {
        let ns = error as NSError
        if let underlying = ns.userInfo[NSUnderlyingErrorKey] as? NSError, underlying.domain == NSPOSIXErrorDomain {
            return String(cString: strerror(Int32(underlying.code)))
        }
        if ns.domain == NSCocoaErrorDomain, ns.code == NSFileReadNoSuchFileError { return "no such file" }
        return ns.localizedDescription
    }
}

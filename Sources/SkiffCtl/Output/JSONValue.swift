// A JSON document as a value, the common ground of skiffctl's JSON and YAML: messages are
// encoded with the CRI codec, then printed as JSON or YAML from here, and YAML configs are
// read into it and handed to the codec as JSON.
import CRIAPI
import Foundation
import Yams

public enum JSONValue: Sendable, Equatable, Codable {
    case null
    case bool(Bool)
    case int(Int64)
    case double(Double)
    case string(String)
    case array([JSONValue])
    /// Keys kept in order (the codec sorts them).
    case object([(key: String, value: JSONValue)])

    public static func == (a: JSONValue, b: JSONValue) -> Bool {
        switch (a, b) {
        case (.null, .null): return true
        case let (.bool(x), .bool(y)): return x == y
        case let (.int(x), .int(y)): return x == y
        case let (.double(x), .double(y)): return x == y
        case let (.string(x), .string(y)): return x == y
        case let (.array(x), .array(y)): return x == y
        case let (.object(x), .object(y)):
            return x.count == y.count && zip(x, y).allSatisfy { $0.key == $1.key && $0.value == $1.value }
        default: return false
        }
    }

    public subscript(key: String) -> JSONValue? {
        guard case .object(let members) = self else { return nil }
        return members.first { $0.key == key }?.value
    }

    public var stringValue: String? {
        if case .string(let s) = self { return s }
        return nil
    }

    // MARK: JSON

    /// A CRI message (or any Encodable) as the codec writes it.
    public init(encoding value: some Encodable) throws {
        self = try JSONValue.parse(CRICodec.encode(value))
    }

    public static func parse(_ data: Data) throws -> JSONValue {
        try JSONDecoder().decode(JSONValue.self, from: data)
    }

    public init(from decoder: any Decoder) throws {
        if var array = try? decoder.unkeyedContainer() {
            var items: [JSONValue] = []
            while !array.isAtEnd { items.append(try array.decode(JSONValue.self)) }
            self = .array(items)
            return
        }
        if let object = try? decoder.container(keyedBy: AnyKey.self) {
            // JSONDecoder does not keep the document's key order: sort, as the codec writes.
            self = .object(try object.allKeys.map(\.stringValue).sorted().map {
                ($0, try object.decode(JSONValue.self, forKey: AnyKey($0)))
            })
            return
        }
        let single = try decoder.singleValueContainer()
        if single.decodeNil() {
            self = .null
        } else if let b = try? single.decode(Bool.self) {
            self = .bool(b)
        } else if let i = try? single.decode(Int64.self) {
            self = .int(i)
        } else if let d = try? single.decode(Double.self) {
            self = .double(d)
        } else {
            self = .string(try single.decode(String.self))
        }
    }

    public func encode(to encoder: any Encoder) throws {
        switch self {
        case .null:
            var c = encoder.singleValueContainer()
            try c.encodeNil()
        case .bool(let b):
            var c = encoder.singleValueContainer()
            try c.encode(b)
        case .int(let i):
            var c = encoder.singleValueContainer()
            try c.encode(i)
        case .double(let d):
            var c = encoder.singleValueContainer()
            try c.encode(d)
        case .string(let s):
            var c = encoder.singleValueContainer()
            try c.encode(s)
        case .array(let items):
            var c = encoder.unkeyedContainer()
            for item in items { try c.encode(item) }
        case .object(let members):
            var c = encoder.container(keyedBy: AnyKey.self)
            for member in members { try c.encode(member.value, forKey: AnyKey(member.key)) }
        }
    }

    /// Indented JSON with sorted keys, as `crictl ... -o json` prints.
    public func jsonText() throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        return String(decoding: try encoder.encode(self), as: UTF8.self)
    }

    public func jsonData() throws -> Data {
        try JSONEncoder().encode(self)
    }

    // MARK: YAML

    /// Block-style YAML; strings that would read back as another type are quoted.
    public func yamlText() throws -> String {
        try Yams.serialize(node: yamlNode(), indent: 2, width: -1, allowUnicode: true)
    }

    func yamlNode() throws -> Node {
        switch self {
        case .null: return Node("null", Tag(.null))
        case .bool(let b): return Node(b ? "true" : "false", Tag(.bool))
        case .int(let i): return Node(String(i), Tag(.int))
        case .double(let d): return Node(String(d), Tag(.float))
        case .string(let s): return try s.represented()
        case .array(let items): return Node(try items.map { try $0.yamlNode() }, Tag(.seq))
        case .object(let members):
            return Node(try members.map { (Node($0.key), try $0.value.yamlNode()) }, Tag(.map))
        }
    }

    /// A YAML document (or JSON, which is YAML) as a value. `what` names the input in errors.
    public init(yaml text: String, what: String) throws {
        let node: Node?
        do {
            node = try Yams.compose(yaml: text)
        } catch {
            throw CtlError("reading \(what)", "not valid YAML or JSON: \(error)")
        }
        guard let node else { throw CtlError("reading \(what)", "the document is empty") }
        self = try JSONValue(node, what: what)
    }

    init(_ node: Node, what: String) throws {
        switch node {
        case .scalar(let scalar):
            switch node.tag {
            case Tag(.null): self = .null
            case Tag(.bool): self = node.bool.map(JSONValue.bool) ?? .string(scalar.string)
            case Tag(.int): self = node.int.map { .int(Int64($0)) } ?? .string(scalar.string)
            case Tag(.float): self = node.float.map(JSONValue.double) ?? .string(scalar.string)
            default: self = .string(scalar.string)
            }
        case .sequence(let sequence):
            self = .array(try sequence.map { try JSONValue($0, what: what) })
        case .mapping(let mapping):
            var members: [(key: String, value: JSONValue)] = []
            for (key, value) in mapping {
                guard let name = key.string else {
                    throw CtlError("reading \(what)", "a mapping key is not a string (line \((key.mark?.line).map(String.init) ?? "?"))")
                }
                members.append((name, try JSONValue(value, what: what)))
            }
            self = .object(members)
        }
    }
}

struct AnyKey: CodingKey {
    var stringValue: String
    var intValue: Int? { nil }
    init(_ string: String) { stringValue = string }
    init(stringValue: String) { self.stringValue = stringValue }
    init?(intValue: Int) { nil }
}

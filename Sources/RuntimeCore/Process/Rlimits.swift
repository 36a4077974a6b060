// process.rlimits → setrlimit in the container process.
import CSkiffSystem
import Glibc
import OCISpec

enum Rlimits {
    static let resources: [String: Int32] = [
        "RLIMIT_AS": 9, "RLIMIT_CORE": 4, "RLIMIT_CPU": 0, "RLIMIT_DATA": 2, "RLIMIT_FSIZE": 1,
        "RLIMIT_LOCKS": 10, "RLIMIT_MEMLOCK": 8, "RLIMIT_MSGQUEUE": 12, "RLIMIT_NICE": 13,
        "RLIMIT_NOFILE": 7, "RLIMIT_NPROC": 6, "RLIMIT_RSS": 5, "RLIMIT_RTPRIO": 14,
        "RLIMIT_RTTIME": 15, "RLIMIT_SIGPENDING": 11, "RLIMIT_STACK": 3,
    ]

    static func resource(_ name: String) -> Int32? { resources[name] }

    static func apply(_ limits: [Rlimit]) throws {
        for limit in limits {
            guard let resource = resources[limit.type] else { throw RuntimeError("unknown rlimit \(limit.type)") }
            try checkNeg(sk_setrlimit(resource, limit.soft, limit.hard),
                         "setrlimit \(limit.type) soft=\(limit.soft) hard=\(limit.hard)")
        }
    }
}

enum Personality {
    static func domain(_ name: String) -> UInt? {
        switch name {
        case "LINUX": return 0x0000
        case "LINUX32": return 0x0008
        default: return nil
        }
    }
}

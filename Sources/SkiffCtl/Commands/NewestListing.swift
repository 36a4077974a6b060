// What `pods` and `ps` share: newest first, cut to the latest one or the last N, then ids only
// (-q), full ids (--no-trunc) or a format (-o).
public protocol NewestListing {
    var quiet: Bool { get set }
    var latest: Bool { get set }
    /// Only the `last` most recently created (0: all).
    var last: Int { get set }
    var noTrunc: Bool { get set }
    var output: OutputFormat { get set }
}

extension NewestListing {
    /// `items` newest first, cut as --latest or --last asks.
    func newest<T>(_ items: [T], createdAt: (T) -> Int64) -> [T] {
        let sorted = items.sorted { createdAt($0) > createdAt($1) }
        if latest { return Array(sorted.prefix(1)) }
        return last > 0 ? Array(sorted.prefix(last)) : sorted
    }
}

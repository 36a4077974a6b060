// crictl's tables: a header row and rows of cells, each column padded to its widest cell plus
// three spaces and to at least 20 characters (the look of Go's tabwriter as crictl sets it up),
// the last column unpadded.

public struct TextTable: Sendable {
    public var header: [String]
    public var rows: [[String]] = []

    public init(_ header: [String]) {
        self.header = header
    }

    public mutating func append(_ row: [String]) {
        rows.append(row)
    }

    public var text: String {
        let all = [header] + rows
        let columns = all.map(\.count).max() ?? 0
        var widths = [Int](repeating: 0, count: columns)
        for row in all {
            for (i, cell) in row.enumerated() { widths[i] = max(widths[i], cell.count) }
        }
        var out = ""
        for row in all {
            var line = ""
            for (i, cell) in row.enumerated() {
                if i == row.count - 1 {
                    line += cell
                } else {
                    let width = max(widths[i] + 3, 20)
                    line += cell + String(repeating: " ", count: width - cell.count)
                }
            }
            out += line + "\n"
        }
        return out
    }
}

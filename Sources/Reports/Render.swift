import Foundation

/// The formats every report comes in.
public enum ReportFormat: String, Sendable, CaseIterable {
    case table, json, csv, markdown, html
}

public enum Render {
    /// Renders a report. `width` fits tables to a terminal; `colour` bolds headers (only on a
    /// terminal, and never when NO_COLOR is set: the caller decides).
    public static func render(_ report: Report, as format: ReportFormat, width: Int = 200, colour: Bool = false, section: String? = nil)
        -> String
    {
        switch format {
        case .table: table(report, width: width, colour: colour)
        case .json: json([report])
        case .csv: csv(report, section: section)
        case .markdown: markdown(report)
        case .html: HTML.page(title: report.title, reports: [report])
        }
    }

    // MARK: - Table

    static func table(_ report: Report, width: Int, colour: Bool) -> String {
        var out = ""
        // A heading line of the prose stands apart from the text under it.
        for line in report.prose.map({ Neutralise.terminal($0) }) {
            let text = line.hasPrefix("# ") ? String(line.dropFirst(2)) : line
            out += Cells.wrap(text, to: width).joined(separator: "\n") + (line.hasPrefix("# ") ? "\n\n" : "\n")
        }
        if !report.prose.isEmpty { out += "\n" }
        for (index, section) in report.sections.enumerated() {
            if index > 0 { out += "\n" }
            let title = Cells.wrap(section.title, to: width).joined(separator: "\n")
            out += (colour ? "\u{1B}[1m\(title)\u{1B}[0m" : title) + "\n"
            guard !section.rows.isEmpty else {
                out += "  \(section.empty)\n"
                continue
            }
            out +=
                section.layout == .records
                ? records(section, width: width) : TextTable(section).plain(width: width, indent: "  ", dimHeader: colour)
        }
        return out
    }

    /// A section as blocks, one per row: each field on its own line, its title then its value
    /// (wrapped at spaces to the width, never cut), empty fields left out. With several rows,
    /// each block is headed by the row's key (its `.key` column, or its first).
    static func records(_ section: Section, width: Int) -> String {
        let labels = section.columns.map { Neutralise.terminal($0.title) }
        let key = section.columns.firstIndex { $0.fit == .key } ?? 0
        let many = section.rows.count > 1
        let indent = many ? "    " : "  "
        var out = ""
        for (index, row) in section.rows.enumerated() {
            if many {
                if index > 0 { out += "\n" }
                out += "  " + Neutralise.terminal(row[key].display) + "\n"
            }
            let shown = section.columns.indices.filter { !(many && $0 == key) && !row[$0].display.isEmpty }
            let labelWidth = shown.map { Cells.width(labels[$0]) }.max() ?? 0
            let valueWidth = width == .max ? .max : max(20, width - indent.count - labelWidth - 2)
            for column in shown {
                for (line, text) in Cells.wrap(Neutralise.terminal(row[column].display), to: valueWidth).enumerated() {
                    out += indent + Cells.pad(line == 0 ? labels[column] : "", to: labelWidth) + "  " + text + "\n"
                }
            }
        }
        return out
    }

    // MARK: - JSON

    /// `[{"report": name, "as_of": …, "sections": {name: [{column: value}]}}]`; one object
    /// alone when there is one report. Field names are the columns' keys; numbers are numbers.
    public static func json(_ reports: [Report]) -> String {
        let iso = ISO8601DateFormatter()
        iso.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        let objects: [[String: Any]] = reports.map { report in
            var sections: [String: Any] = [:]
            for section in report.sections {
                sections[section.name] = section.rows.map { row in
                    Dictionary(uniqueKeysWithValues: zip(section.columns.map(\.key), row.map(\.json)))
                }
            }
            var object: [String: Any] = ["report": report.name, "as_of": iso.string(from: report.asOf), "sections": sections]
            if !report.prose.isEmpty { object["text"] = report.prose }
            return object
        }
        let value: Any = objects.count == 1 ? objects[0] : objects
        let data =
            (try? JSONSerialization.data(withJSONObject: value, options: [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes])) ?? Data()
        return String(decoding: data, as: UTF8.self) + "\n"
    }

    // MARK: - CSV

    /// One section (the first unless named) as RFC 4180 CSV: a header of column keys, CRLF line
    /// ends, fields quoted when they hold a comma, a quote or a line break.
    static func csv(_ report: Report, section name: String?) -> String {
        guard let section = name.flatMap({ report.section($0) }) ?? report.sections.first else { return "" }
        func field(_ text: String) -> String {
            text.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" })
                ? "\"" + text.replacingOccurrences(of: "\"", with: "\"\"") + "\"" : text
        }
        var out = section.columns.map { field($0.key) }.joined(separator: ",") + "\r\n"
        for row in section.rows {
            out += row.map { cell in field(cell.isNumeric ? cell.plain : Neutralise.csvCell(cell.plain)) }.joined(separator: ",") + "\r\n"
        }
        return out
    }

    // MARK: - Markdown

    static func markdown(_ report: Report) -> String {
        var out =
            report.prose.isEmpty
            ? "# \(Neutralise.markdown(report.title))\n\n" : report.prose.map(Neutralise.markdown).joined(separator: "\n\n") + "\n\n"
        for section in report.sections {
            out += "## \(Neutralise.markdown(section.title))\n\n"
            guard !section.rows.isEmpty else {
                out += "\(section.empty)\n\n"
                continue
            }
            out += TextTable(section).markdown() + "\n"
        }
        return out
    }
}

// MARK: - The table renderer

/// A table of text, rendered for a terminal or as Markdown: the one table renderer of the
/// project (reports, `consult log`, the bench's table).
///
/// ```swift
/// var table = TextTable(["Stage", "Leads"], rightAligned: [1])
/// table.rows = [["new", "3"], ["proposal", "12"]]
/// print(table.plain(), terminator: "")
/// // Stage     Leads
/// // new           3
/// // proposal     12
/// ```
public struct TextTable: Sendable {
    public enum Alignment: Sendable { case left, right }

    public struct Column: Sendable {
        public var title: String
        public var alignment: Alignment
        /// Whether a narrow terminal may cut the column (`.text`) or must show it whole (and
        /// may drop it, unless it is a key column or the first).
        public var fit: ColumnFit
        /// Which columns a narrow terminal drops first (the lowest, the rightmost among equals).
        public var priority: ColumnPriority
        /// The fewest cells a `.text` column shrinks to before other columns are dropped instead.
        public var minimum: Int

        public init(
            _ title: String, _ alignment: Alignment = .left, fit: ColumnFit = .whole, priority: ColumnPriority = .normal, minimum: Int = 8
        ) {
            self.title = title
            self.alignment = alignment
            self.fit = fit
            self.priority = priority
            self.minimum = minimum
        }
    }

    public var columns: [Column]
    /// The cells, one array per row, as many as there are columns.
    public var rows: [[String]]

    public init(columns: [Column], rows: [[String]] = []) {
        self.columns = columns
        self.rows = rows
    }

    /// Columns titled `titles`, those at the indices in `rightAligned` aligned right (numbers).
    public init(_ titles: [String], rightAligned: Set<Int> = [], rows: [[String]] = []) {
        self.init(columns: titles.indices.map { Column(titles[$0], rightAligned.contains($0) ? .right : .left) }, rows: rows)
    }

    /// A report's section: its columns' titles, fit and priority, its cells as people read
    /// them, a column aligned right when it holds a number. A column holding a number, a day or
    /// yes/no is never cut, whatever its fit says.
    public init(_ section: Section) {
        self.init(
            columns: section.columns.indices.map { column in
                let spec = section.columns[column]
                let onlyText = section.rows.allSatisfy { row in
                    switch row[column] {
                    case .text, .empty: true
                    default: false
                    }
                }
                // Numbers align right; a column that mixes them with words (a record's field and
                // value, one per row) reads from the left.
                let numeric =
                    section.rows.contains { $0[column].isNumeric }
                    && section.rows.allSatisfy { row in
                        if case .empty = row[column] { return true }
                        return row[column].isNumeric
                    }
                return Column(
                    spec.title, numeric ? .right : .left,
                    fit: spec.fit == .text && !onlyText ? .whole : spec.fit, priority: spec.priority)
            },
            rows: section.rows.map { $0.map(\.display) })
    }

    /// The note under a table that dropped columns to fit.
    public static func droppedNote(_ count: Int) -> String { "+\(count) column\(count == 1 ? "" : "s"): --wide" }

    /// Lines for a terminal: the header, then the rows; each column padded to its widest value
    /// in terminal cells (``Cells``), two spaces between columns, no trailing spaces.
    ///
    /// When a line would pass `width` cells (the indent included): text columns (`.text`) shrink,
    /// the widest first and none below 8 cells, their values cut with "…" (never inside a figure:
    /// ``Cells/cut(_:to:)``); if the table still does not fit with every text column at 8,
    /// columns are dropped, the lowest priority and the rightmost first, never the first
    /// column or a key column, and a line under the table
    /// says how many ("+2 columns: --wide"). Nothing else is ever cut: a date, a number or a
    /// handle is shown whole or not at all. `dimHeader` dims the header with ANSI escapes (for a
    /// terminal, never with NO_COLOR: the caller decides).
    public func plain(width: Int = .max, indent: String = "", dimHeader: Bool = false) -> String {
        let header = columns.map { Neutralise.terminal($0.title) }
        let body = rows.map { $0.map { Neutralise.terminal($0) } }
        let natural = columns.indices.map { column in ([header[column]] + body.map { $0[column] }).map { Cells.width($0) }.max() ?? 0 }
        let shrinks = columns.map { $0.fit == .text }
        let minimum = columns.indices.map { shrinks[$0] ? min(natural[$0], columns[$0].minimum) : natural[$0] }
        let budget = width == .max ? .max : width - Cells.width(indent)
        var visible = Array(columns.indices)
        var widths = natural
        func total() -> Int { visible.map { widths[$0] }.reduce(0, +) + 2 * max(0, visible.count - 1) }
        if budget != .max {
            widths = minimum
            while total() > budget,
                let drop = visible.filter({ $0 > 0 && columns[$0].fit != .key }).min(by: {
                    (columns[$0].priority.rawValue, -$0) < (columns[$1].priority.rawValue, -$1)
                })
            {
                visible.removeAll { $0 == drop }
            }
            // The text columns take back what room is left, the narrowest first.
            var grew = true
            while grew {
                grew = false
                for column in visible.filter({ shrinks[$0] && widths[$0] < natural[$0] }).sorted(by: { widths[$0] < widths[$1] })
                where total() < budget {
                    widths[column] += 1
                    grew = true
                }
            }
        }
        func line(_ values: [String], dim: Bool) -> String {
            var text = visible.map { column -> String in
                let value = Cells.cut(values[column], to: widths[column])
                return Cells.pad(value, to: widths[column], right: columns[column].alignment == .right)
            }.joined(separator: "  ")
            while text.last?.isWhitespace == true { text.removeLast() }
            return indent + (dim ? "\u{1B}[2m\(text)\u{1B}[0m" : text) + "\n"
        }
        var out = line(header, dim: dimHeader) + body.map { line($0, dim: false) }.joined()
        if visible.count < columns.count { out += indent + Self.droppedNote(columns.count - visible.count) + "\n" }
        return out
    }

    /// GitHub-flavoured Markdown: a header row, `---:` under the columns aligned right, `|`
    /// escaped and line breaks made spaces in the cells.
    public func markdown() -> String {
        func escape(_ text: String) -> String {
            Neutralise.markdown(text).replacingOccurrences(of: "|", with: "\\|").replacingOccurrences(of: "\n", with: " ")
        }
        var out = "| " + columns.map { escape($0.title) }.joined(separator: " | ") + " |\n"
        out += "|" + columns.map { $0.alignment == .right ? " ---: |" : " --- |" }.joined() + "\n"
        for row in rows { out += "| " + row.map(escape).joined(separator: " | ") + " |\n" }
        return out
    }
}

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
            out += line.hasPrefix("# ") ? String(line.dropFirst(2)) + "\n\n" : line + "\n"
        }
        if !report.prose.isEmpty { out += "\n" }
        for (index, section) in report.sections.enumerated() {
            if index > 0 { out += "\n" }
            out += (colour ? "\u{1B}[1m\(section.title)\u{1B}[0m" : section.title) + "\n"
            guard !section.rows.isEmpty else {
                out += "  \(section.empty)\n"
                continue
            }
            out += TextTable(section).plain(width: width, indent: "  ", dimHeader: colour)
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

        public init(_ title: String, _ alignment: Alignment = .left) {
            self.title = title
            self.alignment = alignment
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

    /// A report's section: its columns' titles, its cells as people read them, a column
    /// aligned right when it holds a number.
    public init(_ section: Section) {
        self.init(
            columns: section.columns.indices.map { column in
                Column(section.columns[column].title, section.rows.contains { $0[column].isNumeric } ? .right : .left)
            },
            rows: section.rows.map { $0.map(\.display) })
    }

    /// Lines for a terminal: the header, then the rows; each column padded to its widest value,
    /// two spaces between columns, no trailing spaces. When a line would pass `width`, the
    /// widest column is shortened (never below 8 characters) and the values cut in it end in
    /// "…". `dimHeader` dims the header with ANSI escapes (for a terminal, never with NO_COLOR:
    /// the caller decides).
    public func plain(width: Int = .max, indent: String = "", dimHeader: Bool = false) -> String {
        let header = columns.map(\.title)
        var widths = columns.indices.map { column in
            ([header[column]] + rows.map { $0[column] }).map { Neutralise.terminal($0).count }.max() ?? 0
        }
        while widths.reduce(0, +) + 2 * widths.count > width, let widest = widths.indices.max(by: { widths[$0] < widths[$1] }),
            widths[widest] > 8
        {
            widths[widest] -= 1
        }
        func line(_ values: [String], dim: Bool) -> String {
            var text = values.indices.map { column -> String in
                var value = Neutralise.terminal(values[column])
                if value.count > widths[column] { value = String(value.prefix(widths[column] - 1)) + "…" }
                let pad = String(repeating: " ", count: widths[column] - value.count)
                return columns[column].alignment == .right ? pad + value : value + pad
            }.joined(separator: "  ")
            while text.last?.isWhitespace == true { text.removeLast() }
            return indent + (dim ? "\u{1B}[2m\(text)\u{1B}[0m" : text) + "\n"
        }
        return line(header, dim: dimHeader) + rows.map { line($0, dim: false) }.joined()
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

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
        for line in report.prose { out += line.replacingOccurrences(of: "# ", with: "") + "\n" }
        if !report.prose.isEmpty { out += "\n" }
        for (index, section) in report.sections.enumerated() {
            if index > 0 { out += "\n" }
            out += (colour ? "\u{1B}[1m\(section.title)\u{1B}[0m" : section.title) + "\n"
            guard !section.rows.isEmpty else {
                out += "  \(section.empty)\n"
                continue
            }
            let header = section.columns.map(\.title)
            let cells = section.rows.map { $0.map(\.display) }
            var widths = section.columns.indices.map { column in ([header[column]] + cells.map { $0[column] }).map(\.count).max() ?? 0 }
            // Fit the terminal: shorten the widest text column until the row fits.
            while widths.reduce(0, +) + 2 * widths.count > width, let widest = widths.indices.max(by: { widths[$0] < widths[$1] }),
                widths[widest] > 8
            {
                widths[widest] -= 1
            }
            func line(_ values: [String], numeric: [Bool], bold: Bool) -> String {
                let text = values.indices.map { column -> String in
                    var value = values[column]
                    if value.count > widths[column] { value = String(value.prefix(widths[column] - 1)) + "…" }
                    let pad = String(repeating: " ", count: widths[column] - value.count)
                    return numeric[column] ? pad + value : value + pad
                }.joined(separator: "  ").replacingOccurrences(of: "\\s+$", with: "", options: .regularExpression)
                return "  " + (bold && colour ? "\u{1B}[2m\(text)\u{1B}[0m" : text)
            }
            let numeric = section.columns.indices.map { column in section.rows.contains { $0[column].isNumeric } }
            out += line(header, numeric: numeric, bold: true) + "\n"
            for row in cells { out += line(row, numeric: numeric, bold: false) + "\n" }
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
        for row in section.rows { out += row.map { field($0.plain) }.joined(separator: ",") + "\r\n" }
        return out
    }

    // MARK: - Markdown

    static func markdown(_ report: Report) -> String {
        var out = report.prose.isEmpty ? "# \(report.title)\n\n" : report.prose.joined(separator: "\n\n") + "\n\n"
        func escape(_ text: String) -> String { text.replacingOccurrences(of: "|", with: "\\|").replacingOccurrences(of: "\n", with: " ") }
        for section in report.sections {
            out += "## \(section.title)\n\n"
            guard !section.rows.isEmpty else {
                out += "\(section.empty)\n\n"
                continue
            }
            let numeric = section.columns.indices.map { column in section.rows.contains { $0[column].isNumeric } }
            out += "| " + section.columns.map { escape($0.title) }.joined(separator: " | ") + " |\n"
            out += "|" + numeric.map { $0 ? " ---: |" : " --- |" }.joined() + "\n"
            for row in section.rows { out += "| " + row.map { escape($0.display) }.joined(separator: " | ") + " |\n" }
            out += "\n"
        }
        return out
    }
}

import BackOffice
import Foundation

/// One self-contained HTML page: inline CSS and SVG, no script, no fetch; readable printed.
public enum HTML {
    /// Text as HTML shows it: `&`, `<`, `>` and `"` escaped (so a name can never open a tag or
    /// leave an attribute), and the characters ``Neutralise/terminal(_:keepLineBreaks:)``
    /// makes visible (controls, bidi overrides that would reorder the page's text) made so.
    static func escape(_ text: String) -> String {
        Neutralise.terminal(text, keepLineBreaks: true).replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(
            of: "<", with: "&lt;"
        )
        .replacingOccurrences(of: ">", with: "&gt;").replacingOccurrences(of: "\"", with: "&quot;")
    }

    static let style = """
        :root { --ink: #1d2433; --muted: #5b6476; --line: #d9dee7; --accent: #2f6fb2; --good: #2e8b57; --bad: #c0392b; --soft: #eef3fa; }
        * { box-sizing: border-box; }
        body { font: 15px/1.5 -apple-system, "Segoe UI", Helvetica, Arial, sans-serif; color: var(--ink); max-width: 1200px; margin: 2rem auto; padding: 0 1.5rem; }
        header { border-bottom: 3px solid var(--accent); margin-bottom: 1.5rem; }
        h1 { font-size: 1.8rem; margin: 0 0 .25rem; } h2 { font-size: 1.35rem; margin: 2.2rem 0 .6rem; color: var(--accent); }
        h3 { font-size: 1.05rem; margin: 1.4rem 0 .4rem; } .muted { color: var(--muted); }
        table { border-collapse: collapse; width: 100%; margin: .3rem 0 1rem; font-size: .9rem; }
        th, td { text-align: left; padding: .35rem .5rem; border-bottom: 1px solid var(--line); vertical-align: top; overflow-wrap: anywhere; }
        th { overflow-wrap: normal; } table.many { font-size: .8rem; } table.many th, table.many td { padding: .3rem .3rem; }
        @media screen and (max-width: 1400px) { table.many .low { display: none; } }
        th { background: var(--soft); font-weight: 600; } td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; }
        .charts { display: grid; grid-template-columns: repeat(auto-fit, minmax(320px, 1fr)); gap: 1rem 2rem; }
        figure { margin: 0; } figcaption { font-weight: 600; margin-bottom: .3rem; }
        .progress-row { display: grid; grid-template-columns: 14rem 1fr 3.5rem; gap: .6rem; align-items: center; margin: .25rem 0; }
        .track { background: var(--soft); height: .8rem; border-radius: .4rem; overflow: hidden; }
        .progress { background: var(--good); height: 100%; }
        svg text { font-size: 11px; fill: var(--ink); } svg .axis { stroke: var(--line); } svg .target { stroke: var(--bad); stroke-dasharray: 4 3; }
        svg .series { fill: none; stroke: var(--accent); stroke-width: 2; } svg .dot { fill: var(--accent); }
        svg .plan { stroke: var(--muted); stroke-dasharray: 1 3; stroke-width: 1.5; } svg .due { stroke: var(--line); stroke-dasharray: 2 2; }
        svg .funnel-bar rect { fill: var(--accent); } svg .bar rect { fill: var(--good); }
        p.prose { max-width: 70ch; } .scroll { overflow-x: auto; } td.num, td.day { white-space: nowrap; } td.word { overflow-wrap: break-word; } header, p, figcaption, .progress-row span { overflow-wrap: anywhere; }
        @media print { body { margin: 0; max-width: none; font-size: 11px; } .scroll { overflow: visible; } h2 { break-before: auto; } section { break-inside: avoid-page; } }
        """

    /// The page for several reports (`consult report --html FILE`) or one.
    public static func page(title: String, reports: [Report]) -> String {
        let asOf = reports.first.map { Day($0.asOf).description } ?? ""
        var body = "<header><h1>\(escape(title))</h1><p class=\"muted\">As of \(asOf) · made by consult</p></header>\n"
        for report in reports { body += section(report, standalone: reports.count == 1) }
        return """
            <!DOCTYPE html>
            <html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
            <title>\(escape(title))</title><style>\(style)</style></head>
            <body>
            \(body)</body></html>

            """
    }

    static func section(_ report: Report, standalone: Bool) -> String {
        var out = "<section class=\"report\" id=\"\(escape(report.name))\">\n"
        if !standalone { out += "<h2>\(escape(report.title))</h2>\n" }
        for line in report.prose {
            out += line.hasPrefix("# ") ? "<h3>\(escape(String(line.dropFirst(2))))</h3>\n" : "<p class=\"prose\">\(escape(line))</p>\n"
        }
        let small = report.charts.filter { if case .line = $0 { false } else { true } }
        if !small.isEmpty { out += "<div class=\"charts\">\n" + small.map(chart).joined() + "</div>\n" }
        let lines = report.charts.filter { if case .line = $0 { true } else { false } }
        if !lines.isEmpty { out += "<h3>Objectives over time</h3>\n<div class=\"charts\">\n" + lines.map(chart).joined() + "</div>\n" }
        for section in report.sections {
            out += "<h3>\(escape(section.title))</h3>\n"
            guard !section.rows.isEmpty else {
                out += "<p class=\"muted\">\(escape(section.empty))</p>\n"
                continue
            }
            let numeric = section.columns.indices.map { column in section.rows.contains { $0[column].isNumeric } }
            // Cells wrap (a long name breaks anywhere rather than widen the page); figures and
            // days never do, nor do headers inside a word. A table of many columns is set
            // smaller, and on a screen narrower than 1400 px leaves out its low-priority columns
            // (as a narrow terminal drops them first), so it fits 1280 px without scrolling.
            let many = section.columns.count > 10
            func low(_ column: Int) -> Bool { many && section.columns[column].priority == .low }
            // A column shown whole (a phase, a handle) breaks only where a word is too long for
            // the whole table, never inside "planning" to make room for a neighbour.
            func word(_ column: Int) -> String? { section.columns[column].fit == .text ? nil : "word" }
            out += "<div class=\"scroll\"><table class=\"\(escape(section.name))\(many ? " many" : "")\"><thead><tr>"
            out += section.columns.indices.map {
                "<th\(classes([numeric[$0] ? "num" : nil, low($0) ? "low" : nil]))>\(escape(section.columns[$0].title))</th>"
            }
            .joined()
            out += "</tr></thead><tbody>\n"
            for row in section.rows {
                out +=
                    "<tr>"
                    + row.indices.map {
                        "<td\(classes([cellClass(row[$0], numeric: numeric[$0]) ?? word($0), low($0) ? "low" : nil]))>\(escape(row[$0].display))</td>"
                    }.joined()
                    + "</tr>\n"
            }
            out += "</tbody></table></div>\n"
        }
        return out + "</section>\n"
    }

    /// A cell's class: `num` in a column of figures (aligned right), `day` for a date; neither
    /// wraps.
    static func cellClass(_ cell: Cell, numeric: Bool) -> String? {
        if numeric { return "num" }
        if case .day = cell { return "day" }
        return nil
    }

    /// ` class="a b"` of the classes given, or nothing.
    static func classes(_ names: [String?]) -> String {
        let present = names.compactMap { $0 }
        return present.isEmpty ? "" : " class=\"\(present.joined(separator: " "))\""
    }

    static func chart(_ chart: Chart) -> String {
        switch chart {
        case .funnel(let title, let stages):
            let most = max(stages.map(\.count).max() ?? 1, 1)
            let height = stages.count * 30 + 10
            var svg = "<svg class=\"funnel\" viewBox=\"0 0 420 \(height)\" width=\"100%\" role=\"img\" aria-label=\"\(escape(title))\">"
            for (index, stage) in stages.enumerated() {
                let width = max(Double(stage.count) / Double(most) * 300, stage.count > 0 ? 4 : 1)
                let x = 90 + (300 - width) / 2
                let y = index * 30 + 5
                svg += "<g class=\"funnel-bar\" data-stage=\"\(escape(stage.stage))\" data-count=\"\(stage.count)\">"
                svg += "<text x=\"0\" y=\"\(y + 17)\">\(escape(stage.stage))</text>"
                svg +=
                    "<rect x=\"\(String(format: "%.1f", x))\" y=\"\(y)\" width=\"\(String(format: "%.1f", width))\" height=\"24\" rx=\"3\"></rect>"
                svg += "<text x=\"400\" y=\"\(y + 17)\" text-anchor=\"end\">\(stage.count)</text></g>"
            }
            return "<figure><figcaption>\(escape(title))</figcaption>\(svg)</svg></figure>\n"
        case .bars(let title, let bars):
            guard !bars.isEmpty else {
                return "<figure><figcaption>\(escape(title))</figcaption><p class=\"muted\">Nothing to forecast.</p></figure>\n"
            }
            let most = max(bars.map(\.value).max() ?? 1, 1)
            var svg =
                "<svg class=\"bars\" viewBox=\"0 0 420 \(bars.count * 28 + 10)\" width=\"100%\" role=\"img\" aria-label=\"\(escape(title))\">"
            for (index, bar) in bars.enumerated() {
                let y = index * 28 + 5
                svg += "<g class=\"bar\" data-label=\"\(escape(bar.label))\"><text x=\"0\" y=\"\(y + 15)\">\(escape(bar.label))</text>"
                svg +=
                    "<rect x=\"110\" y=\"\(y)\" width=\"\(String(format: "%.1f", max(bar.value / most * 220, 1)))\" height=\"20\" rx=\"3\"></rect>"
                svg += "<text x=\"415\" y=\"\(y + 15)\" text-anchor=\"end\">\(escape(bar.display))</text></g>"
            }
            return "<figure><figcaption>\(escape(title))</figcaption>\(svg)</svg></figure>\n"
        case .progress(let title, let objectives):
            var out = "<figure><figcaption>\(escape(title))</figcaption>"
            for objective in objectives {
                out += "<div class=\"progress-row\"><span>\(escape(objective.objective))</span><div class=\"track\">"
                out +=
                    "<div class=\"progress\" data-objective=\"\(escape(objective.objective))\" style=\"width: \(String(format: "%.1f", max(0, objective.percent)))%\"></div>"
                out += "</div><span class=\"num\">\(Int(objective.percent.rounded()))%</span></div>"
            }
            return out + "</figure>\n"
        case .line(let chart):
            return line(chart)
        }
    }
}

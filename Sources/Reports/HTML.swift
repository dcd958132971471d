import BackOffice
import Foundation

/// One self-contained HTML page: inline CSS and SVG, no script, no fetch; readable printed.
public enum HTML {
    static func escape(_ text: String) -> String {
        text.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
            .replacingOccurrences(of: ">", with: "&gt;").replacingOccurrences(of: "\"", with: "&quot;")
    }

    static let style = """
        :root { --ink: #1d2433; --muted: #5b6476; --line: #d9dee7; --accent: #2f6fb2; --good: #2e8b57; --bad: #c0392b; --soft: #eef3fa; }
        * { box-sizing: border-box; }
        body { font: 15px/1.5 -apple-system, "Segoe UI", Helvetica, Arial, sans-serif; color: var(--ink); max-width: 1100px; margin: 2rem auto; padding: 0 1.5rem; }
        header { border-bottom: 3px solid var(--accent); margin-bottom: 1.5rem; }
        h1 { font-size: 1.8rem; margin: 0 0 .25rem; } h2 { font-size: 1.35rem; margin: 2.2rem 0 .6rem; color: var(--accent); }
        h3 { font-size: 1.05rem; margin: 1.4rem 0 .4rem; } .muted { color: var(--muted); }
        table { border-collapse: collapse; width: 100%; margin: .3rem 0 1rem; font-size: .9rem; }
        th, td { text-align: left; padding: .35rem .5rem; border-bottom: 1px solid var(--line); vertical-align: top; }
        th { background: var(--soft); font-weight: 600; } td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; }
        .charts { display: grid; grid-template-columns: repeat(auto-fit, minmax(320px, 1fr)); gap: 1rem 2rem; }
        figure { margin: 0; } figcaption { font-weight: 600; margin-bottom: .3rem; }
        .progress-row { display: grid; grid-template-columns: 14rem 1fr 3.5rem; gap: .6rem; align-items: center; margin: .25rem 0; }
        .track { background: var(--soft); height: .8rem; border-radius: .4rem; overflow: hidden; }
        .progress { background: var(--good); height: 100%; }
        svg text { font-size: 11px; fill: var(--ink); } svg .axis { stroke: var(--line); } svg .target { stroke: var(--bad); stroke-dasharray: 4 3; }
        svg .series { fill: none; stroke: var(--accent); stroke-width: 2; } svg .dot { fill: var(--accent); }
        svg .funnel-bar rect { fill: var(--accent); } svg .bar rect { fill: var(--good); }
        p.prose { max-width: 70ch; } .scroll { overflow-x: auto; } .scroll table { min-width: 100%; } td { white-space: nowrap; }
        td:last-child, th:last-child { white-space: normal; }
        @media print { body { margin: 0; max-width: none; font-size: 11px; } .scroll { overflow: visible; } td { white-space: normal; } h2 { break-before: auto; } section { break-inside: avoid-page; } }
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
        if !lines.isEmpty { out += "<h3>Measurements</h3>\n<div class=\"charts\">\n" + lines.map(chart).joined() + "</div>\n" }
        for section in report.sections {
            out += "<h3>\(escape(section.title))</h3>\n"
            guard !section.rows.isEmpty else {
                out += "<p class=\"muted\">\(escape(section.empty))</p>\n"
                continue
            }
            let numeric = section.columns.indices.map { column in section.rows.contains { $0[column].isNumeric } }
            out += "<div class=\"scroll\"><table class=\"\(escape(section.name))\"><thead><tr>"
            out += section.columns.indices.map { "<th\(numeric[$0] ? " class=\"num\"" : "")>\(escape(section.columns[$0].title))</th>" }
                .joined()
            out += "</tr></thead><tbody>\n"
            for row in section.rows {
                out +=
                    "<tr>" + row.indices.map { "<td\(numeric[$0] ? " class=\"num\"" : "")>\(escape(row[$0].display))</td>" }.joined()
                    + "</tr>\n"
            }
            out += "</tbody></table></div>\n"
        }
        return out + "</section>\n"
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
                    "<div class=\"progress\" data-objective=\"\(escape(objective.objective))\" style=\"width: \(String(format: "%.1f", objective.percent))%\"></div>"
                out += "</div><span class=\"num\">\(Int(objective.percent.rounded()))%</span></div>"
            }
            return out + "</figure>\n"
        case .line(let objective, let metric, let points, let baseline, let target):
            let values = points.map(\.value) + [baseline, target]
            let low = values.min() ?? 0
            let high = values.max() ?? 1
            let span = high - low == 0 ? 1 : high - low
            let first = points.first?.date.timeIntervalSince1970 ?? 0
            let last = points.last?.date.timeIntervalSince1970 ?? 1
            let duration = last - first == 0 ? 1 : last - first
            func x(_ date: Date) -> Double { 40 + (date.timeIntervalSince1970 - first) / duration * 340 }
            func y(_ value: Double) -> Double { 150 - (value - low) / span * 130 }
            var svg = "<svg class=\"line\" viewBox=\"0 0 400 180\" width=\"100%\" role=\"img\" aria-label=\"\(escape(objective))\">"
            svg +=
                "<line class=\"axis\" x1=\"40\" y1=\"150\" x2=\"380\" y2=\"150\"></line><line class=\"axis\" x1=\"40\" y1=\"20\" x2=\"40\" y2=\"150\"></line>"
            svg +=
                "<line class=\"target\" x1=\"40\" y1=\"\(String(format: "%.1f", y(target)))\" x2=\"380\" y2=\"\(String(format: "%.1f", y(target)))\"></line>"
            svg += "<text x=\"380\" y=\"\(String(format: "%.1f", y(target) - 4))\" text-anchor=\"end\">target \(target.formatted())</text>"
            svg += "<text x=\"36\" y=\"\(String(format: "%.1f", y(baseline) + 4))\" text-anchor=\"end\">\(baseline.formatted())</text>"
            if !points.isEmpty {
                let path = points.map { "\(String(format: "%.1f", x($0.date))),\(String(format: "%.1f", y($0.value)))" }.joined(
                    separator: " ")
                svg += "<polyline class=\"series\" points=\"\(path)\"></polyline>"
                for point in points {
                    svg +=
                        "<circle class=\"dot\" cx=\"\(String(format: "%.1f", x(point.date)))\" cy=\"\(String(format: "%.1f", y(point.value)))\" r=\"3\"><title>\(Day(point.date)): \(point.value.formatted())</title></circle>"
                }
                svg +=
                    "<text x=\"40\" y=\"168\">\(Day(points[0].date))</text><text x=\"380\" y=\"168\" text-anchor=\"end\">\(Day(points[points.count - 1].date))</text>"
            } else {
                svg += "<text x=\"210\" y=\"90\" text-anchor=\"middle\">no measurements yet</text>"
            }
            return
                "<figure class=\"objective-chart\" data-objective=\"\(escape(objective))\" data-points=\"\(points.count)\"><figcaption>\(escape(objective)) <span class=\"muted\">\(escape(metric))</span></figcaption>\(svg)</svg></figure>\n"
        }
    }
}

// Scalpel — ScalpelReport
// SPDX-License-Identifier: Apache-2.0
import Foundation

/// The sections of a sweep's report: the collected table (test metrics mean ± std over seeds, failed
/// and missing runs) and test AUROC against each axis of the grid, drawn like a comparison's trade-off.
struct SweepSections {
    let sweep: SweepRecord
    let idPrefix: String

    func id(_ name: String) -> String { idPrefix + name }

    func section(_ name: String, _ title: String, _ body: String) -> String {
        #"<section id="\#(HTML.escape(id(name)))" data-section="\#(name)"><h2>\#(HTML.escape(title))</h2>\#(body)</section>"#
    }

    func html() -> String { [summary(), table(), axes()].joined(separator: "\n") }

    func summary() -> String {
        let rows = sweep.rows
        let items = [("Sweep folder", sweep.folder.lastPathComponent), ("grid points", String(rows.count)),
                     ("axes", sweep.axes.map(\.axis).joined(separator: ", ")),
                     ("finished runs", String(rows.map(\.seeds).reduce(0, +))), ("failed runs", String(rows.map(\.failed).reduce(0, +))),
                     ("missing runs", String(rows.map(\.missing).reduce(0, +)))]
        return section("sweep-summary", "Sweep",
                       "<dl class=\"summary\">" + items.map { "<dt>\(HTML.escape($0.0))</dt><dd>\(HTML.escape($0.1))</dd>" }.joined() + "</dl>")
    }

    func table() -> String {
        let rows = sweep.rows.map { row -> [String] in
            let name = row.run.isEmpty ? "all" : row.run
            return [HTML.escape(name),
                    ComparisonSections.summaryCell(row.auroc, metric: "auroc", key: "run", row: name),
                    ComparisonSections.summaryCell(row.auprc, metric: "auprc", key: "run", row: name),
                    ComparisonSections.summaryCell(row.accuracy, metric: "accuracy", key: "run", row: name),
                    HTML.number(row.trainingSeconds, decimals: 1), String(row.seeds), String(row.failed), String(row.missing)]
        }
        let html = HTML.table(header: ["grid point", "AUROC", "AUPRC", "accuracy", "training (s per seed)", "seeds", "failed", "missing"],
                              rows: rows, caption: "Test metrics, mean ± std over the finished seeds", id: id("sweep-table"))
        return section("sweep-table-section", "Grid points", html)
    }

    /// AUROC against each axis: numeric labels on their own scale (log when positive and spanning
    /// two decades or more), other labels one position each in order of appearance.
    func axes() -> String {
        var plots = ""
        for (index, axis) in sweep.axes.enumerated() {
            let points = axis.points.filter { $0.row.auroc != nil }
            guard !points.isEmpty else { continue }
            let values = points.map { Double($0.label) }
            let numeric = values.allSatisfy { $0?.isFinite == true }
            var order: [String] = []
            for point in points where !order.contains(point.label) { order.append(point.label) }
            let xs = numeric ? values.map { $0! } : points.map { Double(order.firstIndex(of: $0.label)! + 1) }
            let positive = xs.allSatisfy { $0 > 0 }
            let logarithmic = numeric && positive && xs.max()! / xs.min()! >= 100
            let caption = "Each grid point's test AUROC (mean ± std over seeds) against \(axis.axis)"
                + (numeric ? (logarithmic ? " (log scale)" : "") : " (positions: " + order.enumerated().map { "\($0.offset + 1) = \($0.element)" }.joined(separator: ", ") + ")")
                + "; each point is labelled with its other axes' values."
            plots += ComparisonSections.aurocChart(id: id("sweep-axis-\(index)"), title: "AUROC against \(axis.axis)", caption: caption,
                                                   xLabel: axis.axis, series: "grid points",
                                                   points: zip(xs, points).map { ($0, $1.row.auroc!, Self.otherLabels($1.row, axis.axis)) },
                                                   xScale: logarithmic ? .log10 : .linear,
                                                   xRange: numeric ? nil : 0.5...(Double(order.count) + 0.5)).html()
        }
        let body = plots.isEmpty ? "<p class=\"note\">No grid point has an AUROC yet (or the grid has no axis besides the seed).</p>"
            : "<div class=\"plots\">\(plots)</div>"
        return section("sweep-axes", "AUROC against the sweep's parameters", body)
    }

    /// A point's label on the plot of `axis`: the values of the grid's other axes (the x axis shows this one).
    static func otherLabels(_ row: SweepRecord.Row, _ axis: String) -> String {
        guard let labels = row.labels else { return row.run }
        return labels.filter { $0.axis != axis }.map { "\($0.axis)=\($0.label)" }.joined(separator: ",")
    }
}

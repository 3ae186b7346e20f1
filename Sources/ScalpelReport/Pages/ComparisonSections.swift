// Scalpel — ScalpelReport
// SPDX-License-Identifier: Apache-2.0
import Foundation

/// The sections of a comparison's report: the strategy table (AUROC and AUPRC mean ± std over seeds,
/// parameters, MACs, latency, training cost) and AUROC against parameters, the TruncatedTL trade-off.
struct ComparisonSections {
    let comparison: ComparisonRecord
    let idPrefix: String

    init(_ comparison: ComparisonRecord, idPrefix: String) {
        self.comparison = comparison
        self.idPrefix = idPrefix
    }

    func id(_ name: String) -> String { idPrefix + name }

    func section(_ name: String, _ title: String, _ body: String) -> String {
        #"<section id="\#(HTML.escape(id(name)))" data-section="\#(name)"><h2>\#(HTML.escape(title))</h2>\#(body)</section>"#
    }

    func html() -> String { [summary(), table(), tradeOff()].joined(separator: "\n") }

    func summary() -> String {
        let items = [("Comparison folder", comparison.folder.lastPathComponent), ("title", comparison.title),
                     ("data", comparison.dataset ?? "not recorded"), ("strategies", String(comparison.rows.count)),
                     ("runs found", String(comparison.runs.count))]
        return section("comparison-summary", "Comparison",
                       "<dl class=\"summary\">" + items.map { "<dt>\(HTML.escape($0.0))</dt><dd>\(HTML.escape($0.1))</dd>" }.joined() + "</dl>")
    }

    func summaryCell(_ summary: ComparisonRecord.Summary?, metric: String, strategy: String) -> String {
        Self.summaryCell(summary, metric: metric, key: "strategy", row: strategy)
    }

    /// `mean ± std` with both numbers marked `data-KEY="ROW" data-metric="METRIC" data-part="mean|std"`.
    static func summaryCell(_ summary: ComparisonRecord.Summary?, metric: String, key: String, row: String) -> String {
        guard let summary else { return "–" }
        let attributes = #"data-\#(key)="\#(HTML.escape(row))" data-metric="\#(metric)""#
        return #"<span class="num" \#(attributes) data-part="mean">\#(HTML.number(summary.mean))</span> ± <span class="num" \#(attributes) data-part="std">\#(HTML.number(summary.std))</span>"#
    }

    /// Test AUROC (mean ± std over seeds, as error bars) against one quantity, one labelled point per row.
    static func aurocChart(id: String, title: String, caption: String, xLabel: String, series: String,
                           points: [(x: Double, auroc: ComparisonRecord.Summary, label: String)], xScale: PlotScale.Kind,
                           xRange: ClosedRange<Double>? = nil) -> Chart {
        Chart(id: id, title: title, caption: caption, xLabel: xLabel, yLabel: "test AUROC",
              layers: [.scatter(name: series, points: points.map { Chart.Point($0.x, $0.auroc.mean) },
                                errors: points.map(\.auroc.std), labels: points.map(\.label))],
              xScale: xScale, xRange: xRange)
    }

    func table() -> String {
        let rows = comparison.rows.map { row -> [String] in
            [HTML.escape(row.strategy),
             summaryCell(row.auroc, metric: "auroc", strategy: row.strategy),
             summaryCell(row.auprc, metric: "auprc", strategy: row.strategy),
             summaryCell(row.accuracy, metric: "accuracy", strategy: row.strategy),
             #"<span class="num" data-strategy="\#(HTML.escape(row.strategy))" data-metric="parameters">\#(row.parameters)</span>"#,
             row.trainableParameters.map(String.init) ?? "–",
             HTML.count(row.macs), HTML.number(row.latencyMilliseconds, decimals: 2),
             HTML.number(row.trainingSeconds, decimals: 1), String(row.seeds)]
        }
        let html = HTML.table(header: ["strategy", "AUROC", "AUPRC", "accuracy", "parameters", "trainable parameters", "MACs",
                                       "latency (ms, batch 1)", "training (s per seed)", "seeds"],
                              rows: rows, caption: "Test metrics, mean ± std over seeds", id: id("strategy-table"))
        return section("strategies", "Strategies", html)
    }

    func tradeOff() -> String {
        let rows = comparison.rows.filter { $0.auroc != nil && $0.parameters > 0 }
        guard !rows.isEmpty else {
            return section("trade-off", "AUROC against parameters", "<p class=\"note\">No strategy has an AUROC.</p>")
        }
        let chart = Self.aurocChart(id: id("auroc-parameters"), title: "AUROC against parameters",
                                    caption: "Each strategy's test AUROC (mean ± std over seeds) against the parameters of its network (log scale): truncated networks trade depth for size.",
                                    xLabel: "parameters", series: "strategies", points: rows.map { (Double($0.parameters), $0.auroc!, $0.strategy) }, xScale: .log10)
        return section("trade-off", "AUROC against parameters", "<div class=\"plots\">\(chart.html())</div>")
    }
}

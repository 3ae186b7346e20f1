// Scalpel — ScalpelReport
// SPDX-License-Identifier: Apache-2.0
import Foundation

/// The section of a strategy exposure table (`scalpel attack compare`): per norm, one row per strategy
/// with its clean AUROC and the fooling rates (mean ± std over seeds, 95 % interval) of natural-image
/// UAPs, training-image UAPs and random perturbations at each ζ; then the transfer matrices.
struct ExposureSection {
    let exposure: ExposureRecord
    let idPrefix: String

    func id(_ name: String) -> String { idPrefix + name }

    func cell(_ cell: ExposureRecord.Cell?, strategy: String, key: String) -> String {
        guard let cell else { return "–" }
        let attributes = #"data-strategy="\#(HTML.escape(strategy))" data-metric="\#(HTML.escape(key))""#
        return #"<span class="num" \#(attributes) data-part="mean">\#(HTML.number(cell.mean))</span> ± \#(HTML.number(cell.std)) [\#(HTML.number(cell.lower)), \#(HTML.number(cell.upper))]"#
    }

    func html() -> String {
        var body = "<p>Held-out fooling rate (share of test images whose prediction changes), mean ± std over each strategy's seed models, [95 % Wilson interval of the pooled rate]. natural: UAP from natural images; training: UAP from training images; random: uniform in the same ball; random-natural-size: uniform in the ball of the natural-image UAP's own norm.</p>"
        for norm in exposure.norms {
            var header = ["strategy", "seeds", "clean AUROC"]
            for zeta in exposure.zetas { for kind in exposure.kinds { header.append("\(kind) ζ \(String(format: "%g", zeta * 100)) %") } }
            let rows = exposure.rows.map { row -> [String] in
                var cells = [HTML.escape(row.strategy), String(row.seeds),
                             row.cleanAUROC.map { HTML.number($0) + (row.cleanAUROCStd.map { " ± " + HTML.number($0) } ?? "") } ?? "–"]
                for zeta in exposure.zetas {
                    for kind in exposure.kinds {
                        let key = ExposureRecord.key(kind: kind, norm: norm, zeta: zeta)
                        cells.append(cell(row.cells[key], strategy: row.strategy, key: key))
                    }
                }
                return cells
            }
            body += HTML.table(header: header, rows: rows, caption: "Fooling rates, \(norm == "l2" ? "L2" : "L∞") ball", id: id("exposure-\(norm)"))
        }
        let constant = exposure.rows.filter { $0.nearlyConstantDecisions == true }
        if !constant.isEmpty {
            let names = constant.map { "\(HTML.escape($0.strategy)) (\(String(format: "%.1f", 100 * ($0.cleanMajorityShare ?? 0))) % in one class)" }
            body += #"<p class="note" data-warning="nearly-constant">Nearly constant clean decisions: \#(names.joined(separator: ", ")). A fooling rate counts flipped decisions, so such a model looks unfooled by any perturbation that does not carry almost every score across the boundary.</p>"#
        }
        for norm in exposure.norms {
            for zeta in exposure.zetas {
                for kind in exposure.kinds {
                    guard let matrix = exposure.transfers[ExposureRecord.key(kind: kind, norm: norm, zeta: zeta)],
                          matrix.foolingRates.count == matrix.sources.count else { continue }
                    let rows = zip(matrix.sources, matrix.foolingRates).map { source, rates in
                        [HTML.escape(source)] + rates.map { HTML.number($0) }
                    }
                    body += HTML.table(header: ["made on \\ applied to"] + matrix.targets, rows: rows,
                                       caption: "Transfer of \(kind)-image UAPs, \(norm), ζ \(String(format: "%g", zeta * 100)) % (first seed of each strategy)",
                                       id: id("transfer-\(kind)-\(norm)-\(zeta)"))
                }
            }
        }
        let title = "Exposure to universal adversarial perturbations" + (exposure.name.isEmpty ? "" : ": \(exposure.name)")
        return #"<section id="\#(HTML.escape(id("exposure")))" data-section="exposure"><h2>\#(HTML.escape(title))</h2><p>\#(HTML.escape(exposure.title))</p>\#(body)</section>"#
    }
}

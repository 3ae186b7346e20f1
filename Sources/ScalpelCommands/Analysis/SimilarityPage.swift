// Scalpel — ScalpelCommands
// SPDX-License-Identifier: Apache-2.0
import Foundation
import ScalpelAnalysis
import ScalpelReport

/// `similarity.html` of `analyze similarity RUN`: each measure per cut point with the random baseline's
/// mean ± 2 std band, every cut point's sorted SVCCA (or CCA) coefficients on the normalised index against
/// the baseline curve (TruncatedTL Fig. 4), and the block × block CKA heatmap.
enum SimilarityPage {
    static func make(title: String, report: CutPointSimilarityReport) -> ReportPage {
        let cuts = report.cuts
        var measureCharts: [String] = []
        for measure in SimilarityMeasure.allCases {
            let values = cuts.enumerated().compactMap { index, cut in cut.comparison.scores.value(measure).map { (index, $0, cut) } }
            guard !values.isEmpty else { continue }
            var layers: [Chart.Layer] = [.scatter(name: measure.rawValue, points: values.map { Chart.Point(Double($0.0), $0.1) },
                                                  labels: values.map { $0.2.cut })]
            let baseline = values.compactMap { index, _, cut in cut.comparison.baseline?.summary[measure.rawValue].map { (index, $0) } }
            if baseline.count == values.count {
                layers.insert(.line(name: "random baseline (± 2 std)", points: baseline.map { Chart.Point(Double($0.0), $0.1.mean) },
                                    band: baseline.map { ($0.1.mean - 2 * $0.1.standardDeviation, $0.1.mean + 2 * $0.1.standardDeviation) },
                                    dashed: true), at: 0)
            }
            let order = cuts.enumerated().map { "\($0.offset) = \($0.element.cut)" }.joined(separator: ", ")
            measureCharts.append(Chart(id: "measure-\(measure.rawValue)", title: "\(measure.rawValue) per cut point",
                                       caption: "Cut points in network order: \(order).", xLabel: "cut point (network order)",
                                       yLabel: measure.rawValue, layers: layers).html())
        }
        var curveCharts: [String] = []
        for cut in cuts {
            let comparison = cut.comparison
            guard let result = comparison.scores.svcca ?? comparison.scores.cca else { continue }
            let name = comparison.scores.svcca != nil ? "svcca" : "cca"
            let curve = CoefficientCurve.resampled(result.coefficients)
            let grid = (0 ..< curve.count).map { Double($0) / Double(curve.count - 1) }
            var layers: [Chart.Layer] = [.line(name: "\(cut.cut)", points: zip(grid, curve).map { Chart.Point($0, $1) })]
            if let reference = name == "svcca" ? comparison.baseline?.svccaCurve : comparison.baseline?.ccaCurve {
                layers.append(.line(name: "random", points: zip(grid, reference).map { Chart.Point($0, $1) }, dashed: true))
            }
            let area = comparison.areaAboveBaseline[name].map { String(format: "; area above random %.3f", $0) } ?? ""
            curveCharts.append(Chart(id: "curve-\(cut.cut)", title: "\(cut.cut): sorted \(name.uppercased()) coefficients",
                                     caption: "\(comparison.scores.datapoints) datapoints\(area).", xLabel: "coefficient index (normalised)",
                                     yLabel: "coefficient", layers: layers, xRange: 0 ... 1, yRange: 0 ... 1).html())
        }
        let matrix = report.blockMatrix
        let heatmap = Heatmap(id: "blocks", title: "Linear CKA between cut points of the fine-tuned network",
                              caption: "Features averaged over positions; one datapoint per image (\(report.images) images).",
                              rowTitle: "cut point", columnTitle: "cut point", rowLabels: matrix.cuts, columnLabels: matrix.cuts,
                              values: matrix.linearCKA,
                              cellText: matrix.linearCKA.map { $0.map { String(format: "%.2f", $0) } }).html()
        return ReportPage(title: title, parts: [
            "<section><h2>Similarity per cut point</h2><div class=\"plots\">\(measureCharts.joined())</div></section>",
            "<section><h2>Coefficient curves against random features</h2><div class=\"plots\">\(curveCharts.joined())</div></section>",
            "<section><h2>Inside the fine-tuned network</h2><div class=\"plots\">\(heatmap)</div></section>",
        ])
    }
}

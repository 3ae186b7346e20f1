// Scalpel — ScalpelReport
// SPDX-License-Identifier: Apache-2.0
import Foundation

extension RunSections {
    /// Similarity curves per cut point against their random baselines (the TruncatedTL argument for where
    /// to cut), and the fine-tuned network's block-to-block linear CKA as a heatmap.
    func similarity() -> String {
        var body = ""
        for (number, analysis) in run.similarity.enumerated() {
            let measures = SimilarityRecord.measures.filter { measure in analysis.cuts.contains { $0.comparison.scores.value(measure) != nil } }
            let positions = analysis.cuts.indices.map { Double($0 + 1) }
            var layers: [Chart.Layer] = []
            for measure in measures {
                layers.append(.scatter(name: measure, points: zip(positions, analysis.cuts).compactMap { position, cut in
                    cut.comparison.scores.value(measure).map { Chart.Point(position, $0) }
                }, labels: analysis.cuts.filter { $0.comparison.scores.value(measure) != nil }.map(\.cut)))
                let baseline = zip(positions, analysis.cuts).map { position, cut in
                    Chart.Point(position, cut.comparison.baseline?.summary[measure]?.mean ?? .nan)
                }
                if baseline.contains(where: { $0.y.isFinite }) {
                    layers.append(.line(name: "\(measure) random baseline", points: baseline, dashed: true))
                }
            }
            let heading = "\(analysis.reference) vs this run" + (analysis.split.map { ", \($0) split" } ?? "")
                + (analysis.images.map { ", \($0) images" } ?? "")
            let chart = Chart(id: id("similarity-\(number)"), title: "Similarity per cut point",
                              caption: "\(heading): each measure at each cut point (1 = \(analysis.cuts.first?.cut ?? "first"), in network order); dashed: the mean over random features of the same shapes.",
                              xLabel: "cut point (network order)", yLabel: "similarity", layers: layers)
            let rows = analysis.cuts.map { cut -> [String] in
                [HTML.escape(cut.cut), cut.channels.map(String.init) ?? "–"]
                    + measures.map { measure in
                        let value = cut.comparison.scores.value(measure)
                        let baseline = cut.comparison.baseline?.summary[measure]
                        return HTML.number(value) + (baseline.map { " (baseline \(HTML.number($0.mean)) ± \(HTML.number($0.standardDeviation)))" } ?? "")
                    }
            }
            body += "<h3>\(HTML.escape(analysis.name)): \(HTML.escape(heading))</h3><div class=\"plots\">\(chart.html())"
            if let matrix = analysis.blockMatrix, !matrix.cuts.isEmpty {
                body += Heatmap(id: id("block-cka-\(number)"), title: "Linear CKA between cut points",
                                caption: "Linear CKA between every pair of cut points inside the fine-tuned network (features averaged over positions); 1 on the diagonal.",
                                rowTitle: "cut", columnTitle: "cut", rowLabels: matrix.cuts, columnLabels: matrix.cuts,
                                values: matrix.linearCKA, cellText: matrix.linearCKA.map { $0.map { String(format: "%.2f", $0) } }).html()
            }
            body += "</div>" + HTML.table(header: ["cut point", "channels"] + measures, rows: rows,
                                          caption: "Similarity per cut point (random baseline mean ± std)", id: id("similarity-table-\(number)"))
        }
        return section("similarity", "Representation similarity", body)
    }
}

// Scalpel — ScalpelReport
// SPDX-License-Identifier: Apache-2.0
import Foundation
import ScalpelTraining

extension RunSections {
    /// The classes drawn as one-vs-rest curves: the positive class of a binary task, every class (or
    /// label) otherwise, with bands up to ten classes.
    func curveClasses(_ predictions: TestPredictions) -> [Int] {
        predictions.task == .binary && predictions.classNames.count == 2 ? [1] : Array(predictions.classNames.indices.prefix(20))
    }

    func binaryLabels(_ predictions: TestPredictions, class k: Int) -> [Int] {
        predictions.task == .multiLabel ? predictions.labels.map { $0[k] } : predictions.labels.map { $0.first == k ? 1 : 0 }
    }

    func testCurves() -> String {
        guard let predictions = run.predictions, !predictions.sampleIDs.isEmpty else {
            return section("test-curves", "ROC and precision–recall curves", "<p class=\"note\">No test predictions (predictions.csv) yet.</p>")
        }
        let grid = (0...50).map { Double($0) / 50 }
        let classes = curveClasses(predictions)
        var rocLayers: [Chart.Layer] = [], prLayers: [Chart.Layer] = []
        var rows: [[String]] = []
        for k in classes {
            let labels = binaryLabels(predictions, class: k)
            let scores = predictions.probabilities.map { $0[k] }
            guard labels.contains(1), labels.contains(0) else { continue }
            let name = predictions.classNames[k]
            let resamples = classes.count <= 10 ? bandResamples : 0
            let roc = ROCCurve.band(scores: scores, labels: labels, kind: .roc, grid: grid, resamples: resamples, seed: 0)
            let pr = ROCCurve.band(scores: scores, labels: labels, kind: .precisionRecall, grid: grid, resamples: resamples, seed: 0)
            rocLayers.append(.line(name: name, points: ROCCurve.roc(scores: scores, labels: labels),
                                   band: nil))
            rocLayers.append(.line(name: "\(name) (95 % band)", points: grid.enumerated().map { Chart.Point($1, roc.values[$0]) },
                                   band: zip(roc.lower, roc.upper).map { ($0, $1) }, dashed: true))
            prLayers.append(.line(name: name, points: ROCCurve.precisionRecall(scores: scores, labels: labels)))
            prLayers.append(.line(name: "\(name) (95 % band)", points: grid.enumerated().map { Chart.Point($1, pr.values[$0]) },
                                  band: zip(pr.lower, pr.upper).map { ($0, $1) }, dashed: true))
            for position in stride(from: 0, through: 50, by: 10) {
                rows.append([HTML.escape(name), String(format: "%.1f", grid[position]),
                             HTML.number(roc.values[position]), "\(HTML.number(roc.lower[position])) – \(HTML.number(roc.upper[position]))",
                             HTML.number(pr.values[position]), "\(HTML.number(pr.lower[position])) – \(HTML.number(pr.upper[position]))"])
            }
        }
        let what = classes == [1] ? "positive class \(predictions.classNames[1])" : "each class against the rest"
        let roc = Chart(id: id("roc"), title: "ROC curve", caption: "ROC of \(what) on the test set (\(predictions.sampleIDs.count) samples); shaded: 95 % percentile band over \(bandResamples) bootstrap resamples within each class.",
                        xLabel: "false-positive rate (1 − specificity)", yLabel: "true-positive rate (sensitivity)",
                        layers: rocLayers + [.diagonal(name: "chance")], xRange: 0...1, yRange: 0...1)
        let pr = Chart(id: id("pr"), title: "Precision–recall curve", caption: "Precision against recall for \(what); shaded: 95 % bootstrap band of the interpolated precision.",
                       xLabel: "recall (sensitivity)", yLabel: "precision", layers: prLayers, xRange: 0...1, yRange: 0...1)
        let table = HTML.table(header: ["class", "FPR / recall", "TPR", "TPR 95 % band", "precision", "precision 95 % band"],
                               rows: rows, caption: "Curve values on the grid", id: id("curve-table"))
        return section("test-curves", "ROC and precision–recall curves",
                       "<div class=\"plots\">\(roc.html())\(pr.html())</div><details><summary>Numbers</summary>\(table)</details>")
    }

    func confusion() -> String {
        guard let test = run.results.test, let matrix = test.confusionMatrix else {
            let reason = run.results.test == nil ? "No test results yet." : "Multi-label tasks have one 2 × 2 matrix per label; see the per-label metrics."
            return section("confusion", "Confusion matrix", "<p class=\"note\">\(reason)</p>")
        }
        let heatmap = Heatmap(id: id("confusion-matrix"), title: "Confusion matrix (test)",
                              caption: "Rows: true class; columns: predicted class; colour: fraction of the row (recall); numbers: counts.",
                              rowTitle: "true", columnTitle: "predicted", rowLabels: test.classNames, columnLabels: test.classNames,
                              values: matrix.map { $0.map(Double.init) }, cellText: matrix.map { $0.map(String.init) },
                              normalizeRows: true)
        var perClass: [[String]] = []
        for (k, name) in test.classNames.enumerated() {
            perClass.append([HTML.escape(name), String(test.classCounts[k])]
                            + ["sensitivity", "specificity", "auroc"].map { metric in
                                HTML.number(test.perClass[metric].flatMap { $0.indices.contains(k) ? $0[k] : nil })
                            })
        }
        let table = HTML.table(header: ["class", "samples", "sensitivity", "specificity", "AUROC (one vs rest)"], rows: perClass,
                               caption: "Per-class values", id: id("per-class"))
        return section("confusion", "Confusion matrix", "<div class=\"plots\">\(heatmap.html())</div>\(table)")
    }

    func calibration() -> String {
        guard let predictions = run.predictions, !predictions.sampleIDs.isEmpty, predictions.task != .multiLabel else {
            return section("calibration", "Calibration", "<p class=\"note\">No single-label test predictions to calibrate.</p>")
        }
        let binary = predictions.task == .binary && predictions.classNames.count == 2
        let confidence: [Double], outcome: [Bool]
        if binary {
            confidence = predictions.probabilities.map { $0[1] }
            outcome = predictions.labels.map { $0.first == 1 }
        } else {
            confidence = predictions.probabilities.map { $0.max() ?? 0 }
            outcome = zip(predictions.probabilities, predictions.labels).map { probabilities, label in
                probabilities.indices.max { probabilities[$0] < probabilities[$1] } == label.first
            }
        }
        let bins = ReliabilityBin.bins(confidence: confidence, outcome: outcome, count: 10)
        let what = binary ? "predicted probability of \(predictions.classNames[1])" : "confidence (highest probability)"
        let observed = binary ? "fraction that are \(predictions.classNames[1])" : "accuracy"
        let chart = Chart(id: id("reliability"), title: "Reliability diagram",
                          caption: "Test samples binned by \(what) (10 equal bins); bar height: \(observed) in the bin; dots: mean \(binary ? "probability" : "confidence"); the diagonal is perfect calibration.",
                          xLabel: what, yLabel: observed,
                          layers: [.bars(name: observed, bars: bins.map { ($0.lower, $0.upper, $0.observed, "\($0.count) samples") }),
                                   .scatter(name: "mean \(binary ? "probability" : "confidence")",
                                            points: bins.map { Chart.Point($0.meanConfidence, $0.meanConfidence) }),
                                   .diagonal(name: "perfect calibration")],
                          xRange: 0...1, yRange: 0...1)
        let rows = bins.map { [String(format: "%.1f–%.1f", $0.lower, $0.upper), String($0.count), HTML.number($0.meanConfidence), HTML.number($0.observed)] }
        let ece = run.results.test?.metrics["ece"]
        let table = HTML.table(header: ["bin", "samples", "mean " + (binary ? "probability" : "confidence"), observed], rows: rows,
                               caption: "Reliability bins" + (ece?.value.map { "; ECE (15 bins) \(HTML.number($0))" } ?? ""), id: id("reliability-table"))
        return section("calibration", "Calibration", "<div class=\"plots\">\(chart.html())</div>\(table)")
    }
}

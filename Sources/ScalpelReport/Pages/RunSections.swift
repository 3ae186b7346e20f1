// Scalpel — ScalpelReport
// SPDX-License-Identifier: Apache-2.0
import Foundation
import ScalpelTraining

/// The sections of a run's report: summary, test curves (ROC, PR), training curves, confusion matrix,
/// calibration and cost. Sections whose data the run lacks (an unfinished run has no test results)
/// say so instead of being left out silently.
struct RunSections {
    let run: RunRecord
    let idPrefix: String
    /// Bootstrap resamples for the curve bands.
    var bandResamples = 200

    init(_ run: RunRecord, idPrefix: String) {
        self.run = run
        self.idPrefix = idPrefix
    }

    func id(_ name: String) -> String { idPrefix + name }

    func html() -> String {
        ([summary(), testCurves(), training(), confusion(), calibration(), cost()]
            + (run.similarity.isEmpty ? [] : [similarity()])
            + run.explanations.enumerated().map { ExplanationSection(explanation: $1, idPrefix: id("\($0)-")).html() }
            + run.uaps.enumerated().map { UAPSections(uap: $1, idPrefix: id("\($0)-")).html() }).joined(separator: "\n")
    }

    func section(_ name: String, _ title: String, _ body: String) -> String {
        #"<section id="\#(HTML.escape(id(name)))" data-section="\#(name)"><h2>\#(HTML.escape(title))</h2>\#(body)</section>"#
    }

    // MARK: Summary

    func summary() -> String {
        let results = run.results
        var items: [(String, String)] = [("Run folder", run.folder.lastPathComponent)]
        for key in ["data", "model", "weights", "strategy", "strategy-params", "epochs", "batch-size", "lr", "optimizer",
                    "schedule", "monitor", "image-size", "size"] {
            if let value = run.setting(key) { items.append((key, value)) }
        }
        items.append(("status", results.status.rawValue))
        if let best = results.best {
            items.append(("best epoch", "\(best.epoch) (\(best.phase)), validation \(best.metric.rawValue) \(HTML.number(best.value))"))
        }
        if let checkpoint = results.testCheckpoint { items.append(("test weights", checkpoint)) }
        if !results.phases.isEmpty { items.append(("phases", results.phases.joined(separator: "; "))) }
        var body = "<dl class=\"summary\">" + items.map { "<dt>\(HTML.escape($0.0))</dt><dd>\(HTML.escape($0.1))</dd>" }.joined() + "</dl>"
        if let test = results.test {
            body += "<p>Test set: \(test.sampleCount) samples, \(test.classNames.count) classes (" +
                zip(test.classNames, test.classCounts).map { "\(HTML.escape($0)): \($1)" }.joined(separator: ", ") + ").</p>"
            var rows: [[String]] = []
            if let loss = results.testLoss {
                rows.append([metricName("loss"), numberCell(loss, metric: "loss", part: "value"), "–", ""])
            }
            for (name, metric) in test.metrics.sorted(by: { $0.key < $1.key }) {
                let interval = metric.lower.flatMap { lower in metric.upper.map { (lower, $0) } }
                rows.append([metricName(name), numberCell(metric.value, metric: name, part: "value"),
                             interval.map { numberCell($0.0, metric: name, part: "lower") + " – " + numberCell($0.1, metric: name, part: "upper") } ?? "–",
                             HTML.escape(metric.note ?? "")])
            }
            body += HTML.table(header: ["metric", "value", "95 % CI (bootstrap)", "note"], rows: rows,
                               caption: "Test metrics of the \(results.testCheckpoint ?? "final weights")", id: id("test-metrics"))
        } else {
            body += "<p class=\"note\">The run has not finished: no test results yet (\(results.history.count) epoch(s) done).</p>"
        }
        if !results.skippedImages.isEmpty {
            body += "<details><summary>\(results.skippedImages.count) image(s) left out</summary><ul>"
                + results.skippedImages.prefix(200).map { "<li>\(HTML.escape($0))</li>" }.joined() + "</ul></details>"
        }
        return section("summary", "Summary", body)
    }

    func metricName(_ name: String) -> String { "<code>\(HTML.escape(name))</code>" }

    /// A number cell the browser test reads back: `data-metric` and `data-part` name it.
    func numberCell(_ value: Double?, metric: String, part: String) -> String {
        #"<span class="num" data-metric="\#(HTML.escape(metric))" data-part="\#(part)">\#(HTML.number(value))</span>"#
    }

    // MARK: Training curves

    func training() -> String {
        let history = run.results.history
        guard !history.isEmpty else { return section("training", "Training", "<p class=\"note\">No epoch recorded yet.</p>") }
        var markers: [Chart.Layer] = []
        if let best = run.results.best { markers.append(.marker(x: Double(best.epoch), label: "best epoch \(best.epoch)")) }
        // Phase boundaries.
        for (index, record) in history.enumerated().dropFirst() where record.phase != history[index - 1].phase {
            markers.append(.marker(x: Double(record.epoch) - 0.5, label: record.phase))
        }
        let epochs = history.map { Double($0.epoch) }
        let losses = Chart(id: id("loss-curves"), title: "Loss per epoch", caption: "Mean training loss and validation loss per epoch; the dashed line marks the best validation epoch.",
                           xLabel: "epoch", yLabel: "loss",
                           layers: [.line(name: "training loss", points: zip(epochs, history.map(\.trainingLoss)).map { Chart.Point($0, $1) }),
                                    .line(name: "validation loss", points: zip(epochs, history.map { $0.validationLoss ?? .nan }).map { Chart.Point($0, $1) }, dashed: true)]
                               + markers)
        let metricNames = ["auroc", "auprc", "accuracy", "balanced-accuracy"].filter { name in history.contains { $0.validation[name] != nil } }
        let metrics = Chart(id: id("validation-curves"), title: "Validation metrics per epoch",
                            caption: "Validation metrics after each epoch; the best epoch (by \(run.results.monitor.rawValue)) is marked.",
                            xLabel: "epoch", yLabel: "value",
                            layers: metricNames.map { name in
                                .line(name: name, points: history.map { Chart.Point(Double($0.epoch), ($0.validation[name] ?? nil) ?? .nan) })
                            } + markers)
        let groups = history.map(\.learningRates.count).max() ?? 0
        let rates = Chart(id: id("learning-rate"), title: "Learning rate", caption: "Each parameter group's learning rate at the epoch's last step.",
                          xLabel: "epoch", yLabel: "learning rate",
                          layers: (0..<groups).map { group in
                              .line(name: "group \(group)", points: history.map { Chart.Point(Double($0.epoch), $0.learningRates.indices.contains(group) ? $0.learningRates[group] : .nan) })
                          } + markers)
        let rows = history.map { record -> [String] in
            [String(record.epoch), HTML.escape(record.phase), HTML.number(record.trainingLoss), HTML.number(record.validationLoss)]
                + metricNames.map { HTML.number(record.validation[$0] ?? nil) }
                + [record.learningRates.map { String(format: "%.3g", $0) }.joined(separator: ", "), String(format: "%.1f", record.seconds)]
        }
        let table = HTML.table(header: ["epoch", "phase", "training loss", "validation loss"] + metricNames.map { "val " + $0 } + ["learning rate(s)", "seconds"],
                               rows: rows, caption: "Per-epoch history (metrics.json)", id: id("history"))
        return section("training", "Training",
                       "<div class=\"plots\">\(losses.html())\(metrics.html())\(rates.html())</div><details open><summary>Numbers</summary>\(table)</details>")
    }

    // MARK: Cost

    func cost() -> String {
        let results = run.results
        let history = results.history
        let throughput = history.isEmpty ? nil : history.map(\.imagesPerSecond).reduce(0, +) / Double(history.count)
        let rows = [["training time (s)", HTML.number(results.trainingSeconds, decimals: 1)],
                    ["epochs", String(history.count)],
                    ["mean training throughput (images/s)", HTML.number(throughput, decimals: 1)]]
        return section("complexity", "Cost",
                       HTML.table(header: ["measure", "value"], rows: rows, caption: "Training cost of this run", id: id("cost"))
                       + "<p>Parameters, MACs and latency per strategy are measured by <code>scalpel compare</code>; report its folder to see them.</p>")
    }
}

// Scalpel — ScalpelReportTests
// SPDX-License-Identifier: Apache-2.0
import Foundation
import ScalpelMetrics
import Testing
@testable import ScalpelReport
import ScalpelRandom

struct HTMLTests {
    @Test func escapesEveryMarkupCharacter() {
        #expect(HTML.escape(#"<script>alert("x") & 'y'</script>"#)
                == "&lt;script&gt;alert(&quot;x&quot;) &amp; &#39;y&#39;&lt;/script&gt;")
        #expect(HTML.escape("plain é") == "plain é")
    }

    @Test func numbers() {
        #expect(HTML.number(0.95123) == "0.9512")
        #expect(HTML.number(nil) == "–")
        #expect(HTML.number(.nan) == "n/a")
        #expect(HTML.count(3371293) == "3\u{202F}371\u{202F}293")
    }
}

struct PlotScaleTests {
    @Test func linearTicksAreRoundNumbers() {
        let scale = PlotScale(lower: 0, upper: 1, start: 0, end: 100)
        #expect(scale.ticks() == [0, 0.2, 0.4, 0.6, 0.8, 1.0])
        #expect(scale.position(0.5) == 50)
        #expect(PlotScale(lower: 0.13, upper: 0.87, start: 0, end: 1).ticks() == [0.2, 0.4, 0.6, 0.8])
        #expect(PlotScale(lower: 3, upper: 47, start: 0, end: 1).ticks() == [10, 20, 30, 40])
        #expect(PlotScale.niceStep(0.03) == 0.05)
    }

    @Test func logTicksArePowersOfTen() {
        let scale = PlotScale(.log10, lower: 5e5, upper: 3e7, start: 0, end: 200)
        #expect(scale.ticks() == [5e5, 1e6, 2e6, 5e6, 1e7, 2e7])
        #expect(PlotScale(.log10, lower: 3, upper: 3e5, start: 0, end: 1).ticks() == [10, 100, 1000, 1e4, 1e5])
        #expect(abs(scale.position(5e5) - 0) < 1e-9 && abs(scale.position(3e7) - 200) < 1e-9)
        #expect(scale.label(1e6, ticks: [1e6, 1e7]) == "1M")
    }

    @Test func degenerateRangeIsWidened() {
        let scale = PlotScale(lower: 2, upper: 2, start: 0, end: 10)
        #expect(scale.lower < 2 && scale.upper > 2)
    }
}

struct CurveTests {
    @Test func rocKnownAnswer() {
        let roc = ROCCurve.roc(scores: [0.1, 0.4, 0.35, 0.8], labels: [0, 0, 1, 1])
        // scikit-learn roc_curve(drop_intermediate=False): fpr [0, 0, .5, .5, 1], tpr [0, .5, .5, 1, 1].
        #expect(roc.map(\.x) == [0, 0, 0.5, 0.5, 1])
        #expect(roc.map(\.y) == [0, 0.5, 0.5, 1, 1])
    }

    /// The area under the drawn curves equals the metrics' AUROC (trapezoids) and average precision
    /// (Σ ΔR·P), ties included.
    @Test(arguments: [UInt64(1), 2, 3])
    func curvesIntegrateToTheMetrics(seed: UInt64) throws {
        var generator = SplitMix64(seed: seed)
        let labels = (0..<200).map { _ in Int(generator.next() % 2) }
        let scores = labels.map { Double(generator.next() % 20) / 20 + 0.1 * Double($0) }   // many ties
        let roc = ROCCurve.roc(scores: scores, labels: labels)
        let area = zip(roc, roc.dropFirst()).reduce(0) { $0 + ($1.1.x - $1.0.x) * ($1.0.y + $1.1.y) / 2 }
        #expect(abs(area - (try ScalpelMetrics.auroc(scores: scores, labels: labels))) < 1e-12)
        let pr = ROCCurve.precisionRecall(scores: scores, labels: labels)
        let ap = zip(pr, pr.dropFirst()).reduce(0) { $0 + ($1.1.x - $1.0.x) * $1.1.y }
        #expect(abs(ap - (try ScalpelMetrics.auprc(scores: scores, labels: labels))) < 1e-12)
    }

    @Test func bandsAreOrderedAndReproducible() {
        var generator = SplitMix64(seed: 9)
        let labels = (0..<80).map { $0 % 2 }
        let scores = labels.map { Double(generator.next() % 100) / 100 + 0.3 * Double($0) }
        let grid = (0...10).map { Double($0) / 10 }
        let first = ROCCurve.band(scores: scores, labels: labels, kind: .roc, grid: grid, resamples: 50, seed: 4)
        let second = ROCCurve.band(scores: scores, labels: labels, kind: .roc, grid: grid, resamples: 50, seed: 4)
        #expect(first.lower == second.lower && first.upper == second.upper)
        #expect(zip(first.lower, first.upper).allSatisfy { $0 <= $1 })
        #expect(first.values.last == 1 && first.upper.last == 1)
        #expect(zip(first.lower, first.upper).contains { $0 < $1 }, "resampling must widen the band somewhere")
        let pr = ROCCurve.band(scores: scores, labels: labels, kind: .precisionRecall, grid: grid, resamples: 50, seed: 4)
        #expect(zip(pr.lower, pr.upper).allSatisfy { $0 <= $1 })
    }

    @Test func reliabilityBins() {
        let bins = ReliabilityBin.bins(confidence: [0.05, 0.1, 0.15, 0.95, 1.0], outcome: [false, true, false, true, true], count: 10)
        #expect(bins.map(\.count) == [2, 1, 2])
        #expect(bins[0].observed == 0.5 && abs(bins[0].meanConfidence - 0.075) < 1e-12)
        #expect(bins[1].lower == 0.1 && bins[1].observed == 0)
        #expect(bins[2].observed == 1)
    }
}

struct ChartTests {
    @Test func chartHasAxesTooltipsAndEscapedText() {
        let chart = Chart(id: "c", title: "<t>", caption: "cap & more", xLabel: "x<", yLabel: "y",
                          layers: [.line(name: "a<b", points: [Chart.Point(0, 0), Chart.Point(1, 2)],
                                         band: [(-1, 1), (1, 3)]),
                                   .scatter(name: "s", points: [Chart.Point(0.5, 1)], errors: [0.25], labels: ["<p>"]),
                                   .bars(name: "b", bars: [(0, 0.5, 1, "3 samples")]),
                                   .marker(x: 0.5, label: "best"), .diagonal(name: "d")])
        let html = chart.html()
        #expect(!html.contains("<t>") && !html.contains("<p>") && !html.contains("a<b") && !html.contains("x<"))
        #expect(html.contains("&lt;t&gt;") && html.contains("cap &amp; more"))
        #expect(html.contains("<polygon class=\"band\""))
        #expect(html.contains("a&lt;b: x = 1, y = 2 (95 % band 1–3)"))
        #expect(html.contains("&lt;p&gt;: x = 0.5, y = 1 ± 0.25"))
        #expect(html.contains("b: 0–0.5: 1 (3 samples)"))
        #expect(html.components(separatedBy: "class=\"tick\"").count - 1 >= 6)
        #expect(html.hasPrefix("<figure") && html.contains("<figcaption>"))
    }

    @Test func heatmapCellsCarryTheirNumbers() {
        let heatmap = Heatmap(id: "h", title: "cm", caption: "c", rowTitle: "true", columnTitle: "predicted",
                              rowLabels: ["a", "<b>"], columnLabels: ["a", "<b>"], values: [[3, 1], [0, 4]],
                              cellText: [["3", "1"], ["0", "4"]], normalizeRows: true)
        let html = heatmap.html()
        #expect(html.contains("data-row=\"1\" data-column=\"1\" data-value=\"4\""))
        #expect(html.contains("true &lt;b&gt;, predicted a: 0 (0.0 % of the row)"))
        #expect(!html.contains("<b>"))
    }
}

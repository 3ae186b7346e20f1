// Scalpel — ScalpelReport
// SPDX-License-Identifier: Apache-2.0
import Foundation

/// The section of a universal adversarial perturbation: the perturbation (amplified for viewing), the
/// held-out fooling rate against random perturbations of the same size, the search curve and where the
/// perturbed images go (clean → perturbed confusion).
struct UAPSections {
    let uap: UAPRecord
    let idPrefix: String

    func id(_ name: String) -> String { idPrefix + name }

    func html() -> String {
        var body = ""
        var items: [(String, String)] = []
        if !uap.name.isEmpty { items.append(("folder", uap.name)) }
        if let settings = uap.settings {
            if let norm = settings.norm { items.append(("norm", norm)) }
            if let zeta = settings.zeta { items.append(("ζ (radius / mean image norm)", HTML.number(zeta))) }
            if let target = settings.targetClass {
                items.append(("target class", uap.classNames.indices.contains(target) ? uap.classNames[target] : String(target)))
            }
            if let source = settings.source { items.append(("source images", source)) }
        }
        if let radius = uap.radius { items.append(("radius ξ", HTML.number(radius))) }
        if let l2 = uap.perturbationL2 { items.append(("‖v‖₂", HTML.number(l2))) }
        if let linf = uap.perturbationLinf { items.append(("‖v‖∞", HTML.number(linf))) }
        body += "<dl class=\"summary\">" + items.map { "<dt>\(HTML.escape($0.0))</dt><dd>\(HTML.escape($0.1))</dd>" }.joined() + "</dl>"

        let randomRates = uap.random?.foolingRates ?? []
        let randomMean = randomRates.isEmpty ? nil : randomRates.reduce(0, +) / Double(randomRates.count)
        let randomStd: Double? = randomRates.count > 1 && randomMean != nil
            ? (randomRates.map { ($0 - randomMean!) * ($0 - randomMean!) }.reduce(0, +) / Double(randomRates.count - 1)).squareRoot() : nil
        func cell(_ value: Double?, _ metric: String) -> String {
            #"<span class="num" data-metric="\#(metric)">\#(HTML.number(value))</span>"#
        }
        var rows = [["universal perturbation", cell(uap.heldout.foolingRate, "uap-fooling-rate"),
                     uap.heldout.targetedSuccessRate.map { cell($0, "uap-targeted-success") } ?? "–", String(uap.heldout.images)]]
        if let randomMean {
            rows.append(["random perturbations (\(randomRates.count), same norm and radius)",
                         cell(randomMean, "random-fooling-rate") + (randomStd.map { " ± " + HTML.number($0) } ?? ""), "–",
                         String(uap.heldout.images)])
        }
        if let small = uap.randomAtUAPNorm, !small.foolingRates.isEmpty {
            let mean = small.foolingRates.reduce(0, +) / Double(small.foolingRates.count)
            rows.append(["random perturbations (\(small.foolingRates.count), the UAP's own size ‖v‖)",
                         cell(mean, "random-uap-norm-fooling-rate"), "–", String(uap.heldout.images)])
        }
        body += HTML.table(header: ["perturbation", "fooling rate", "targeted success", "held-out images"], rows: rows,
                           caption: "Fooling rate on held-out images (share whose prediction changes)", id: id("uap-table"))

        var plots = ""
        if let image = uap.image {
            plots += #"<figure class="plot" id="\#(id("uap-image"))" data-plot="\#(id("uap-image"))"><img src="\#(image.dataURI)" width="\#(max(image.width, 224))" alt="the universal perturbation, amplified" style="image-rendering:pixelated;height:auto"><figcaption>The perturbation v, amplified for viewing (0.5 + v / (2 max|v|)); \#(image.width) × \#(image.height).</figcaption></figure>"#
        }
        if let triptych = uap.triptych {
            plots += #"<figure class="plot" id="\#(id("uap-triptych"))" data-plot="\#(id("uap-triptych"))"><img src="\#(triptych.dataURI)" width="\#(min(triptych.width, 540))" alt="held-out images: clean, perturbation, perturbed" style="image-rendering:pixelated;height:auto"><figcaption>Held-out images, one per row: clean | the perturbation amplified | perturbed, clip(x + v).</figcaption></figure>"#
        }
        if !uap.curve.isEmpty {
            var layers: [Chart.Layer] = [.line(name: "held-out fooling rate", points: uap.curve.map { Chart.Point(Double($0.imagesSeen), $0.foolingRate) })]
            if let randomMean, let last = uap.curve.last {
                layers.append(.line(name: "random perturbations", points: [Chart.Point(Double(uap.curve[0].imagesSeen), randomMean),
                                                                           Chart.Point(Double(last.imagesSeen), randomMean)], dashed: true))
            }
            plots += Chart(id: id("uap-curve"), title: "Fooling rate during the search",
                           caption: "Held-out fooling rate after each chunk of source images; dashed: the mean over random perturbations of the same size.",
                           xLabel: "source images seen", yLabel: "fooling rate", layers: layers, yRange: 0...1).html()
        }
        let confusion = uap.heldout.confusion
        if !confusion.isEmpty, confusion.count == uap.classNames.count {
            plots += Heatmap(id: id("uap-confusion"), title: "Clean → perturbed predictions",
                             caption: "Rows: prediction on the clean image; columns: prediction with the perturbation added; numbers: images.",
                             rowTitle: "clean", columnTitle: "perturbed", rowLabels: uap.classNames, columnLabels: uap.classNames,
                             values: confusion.map { $0.map(Double.init) }, cellText: confusion.map { $0.map(String.init) },
                             normalizeRows: true).html()
        }
        body += "<div class=\"plots\">\(plots)</div>"
        let title = "Universal adversarial perturbation" + (uap.name.isEmpty ? "" : ": \(uap.name)")
        return #"<section id="\#(HTML.escape(id("uap")))" data-section="uap"><h2>\#(HTML.escape(title))</h2>\#(body)</section>"#
    }
}

// Scalpel — ScalpelReport
// SPDX-License-Identifier: Apache-2.0
import Foundation

/// The section of a `scalpel explain` folder: where the model looks (a grid of Grad-CAM overlays per
/// class, embedded as PNG) and whether the maps are faithful (deletion/insertion areas, the
/// randomisation check), overall, per class and per image.
struct ExplanationSection {
    let explanation: ExplanationRecord
    let idPrefix: String
    /// Per-image rows shown (the rest are counted, not listed).
    var imageRows = 200

    func id(_ name: String) -> String { idPrefix + name }

    func html() -> String {
        let record = explanation
        let method = record.method.map { $0 == "gradcam++" ? "Grad-CAM++" : ($0 == "gradcam" ? "Grad-CAM" : $0) } ?? "Grad-CAM"
        var items: [(String, String)] = []
        if !record.name.isEmpty { items.append(("folder", record.name)) }
        items.append(("method", method))
        if let cut = record.cut { items.append(("cut point", cut)) }
        if let architecture = record.architecture { items.append(("architecture", architecture)) }
        items.append(("explained class", record.explained == "predicted" || record.explained == nil ? "each image's predicted class" : record.explained!))
        items.append(("images", String(record.rows.count)))
        var body = "<dl class=\"summary\">" + items.map { "<dt>\(HTML.escape($0.0))</dt><dd>\(HTML.escape($0.1))</dd>" }.joined() + "</dl>"

        func cell(_ value: Double?, _ metric: String) -> String {
            #"<span class="num" data-metric="\#(metric)">\#(HTML.number(value))</span>"#
        }
        var rows = [["all images", String(record.rows.count), cell(record.meanDeletionArea, "explain-deletion"),
                     cell(record.meanInsertionArea, "explain-insertion"), cell(record.meanRandomisationCorrelation, "explain-randomisation")]]
        for group in record.byClass {
            rows.append([HTML.escape(group.className), String(group.images), HTML.number(group.deletion), HTML.number(group.insertion),
                         HTML.number(group.randomisation)])
        }
        body += HTML.table(header: ["explained class", "images", "deletion AUC (lower is better)", "insertion AUC (higher is better)",
                                    "randomisation Spearman (near 1: maps ignore the model)"],
                           rows: rows, caption: "Faithfulness of the maps (means)", id: id("explain-table"))

        var grids = ""
        for (index, grid) in record.grids.enumerated() {
            let plot = id("explain-grid-\(index)")
            grids += #"<figure class="plot" id="\#(HTML.escape(plot))" data-plot="\#(HTML.escape(plot))"><img src="\#(grid.dataURI)" width="\#(min(max(grid.width, 320), 540))" alt="\#(HTML.escape("\(method) overlays, class \(grid.className)"))" style="height:auto;max-width:100%;image-rendering:pixelated"><figcaption>\#(HTML.escape("\(method) overlays of the images explained for class \(grid.className) (\(grid.fileName), \(grid.width) × \(grid.height)); warm colours: where the map is high."))</figcaption></figure>"#
        }
        if !grids.isEmpty { body += "<div class=\"plots\">\(grids)</div>" }

        let shown = record.rows.prefix(imageRows).map { row in
            [HTML.escape(row.id), HTML.escape(row.explainedClass), HTML.escape(row.predictedClass), HTML.number(row.probability),
             HTML.number(row.deletionArea), HTML.number(row.insertionArea), HTML.number(row.randomisationCorrelation)]
        }
        let more = record.rows.count > imageRows ? " (first \(imageRows) of \(record.rows.count))" : ""
        body += "<details><summary>Per image\(more)</summary>"
            + HTML.table(header: ["image", "explained", "predicted", "probability", "deletion AUC", "insertion AUC", "randomisation Spearman"],
                         rows: shown, caption: "explanations.csv", id: id("explain-images"))
            + "</details>"
        let title = "Where the model looks: \(method)" + (record.name.isEmpty ? "" : " (\(record.name))")
        return #"<section id="\#(HTML.escape(id("explain")))" data-section="explain"><h2>\#(HTML.escape(title))</h2>\#(body)</section>"#
    }
}

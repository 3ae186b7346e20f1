// Scalpel — ScalpelReport
// SPDX-License-Identifier: Apache-2.0
import Foundation

/// A matrix drawn as coloured cells (white → blue by value, scaled per row or over the whole matrix),
/// each with its number written in the cell and a `<title>` tooltip; row and column labels escaped.
public struct Heatmap: Sendable {
    public var id: String
    public var title: String
    public var caption: String
    public var rowTitle: String
    public var columnTitle: String
    public var rowLabels: [String]
    public var columnLabels: [String]
    public var values: [[Double]]
    /// Text in each cell (e.g. the count); defaults to the value.
    public var cellText: [[String]]?
    /// Colour by the fraction of each row's total (a confusion matrix's recall) instead of the global maximum.
    public var normalizeRows: Bool

    public init(id: String, title: String, caption: String, rowTitle: String, columnTitle: String, rowLabels: [String],
                columnLabels: [String], values: [[Double]], cellText: [[String]]? = nil, normalizeRows: Bool = false) {
        self.id = id
        self.title = title
        self.caption = caption
        self.rowTitle = rowTitle
        self.columnTitle = columnTitle
        self.rowLabels = rowLabels
        self.columnLabels = columnLabels
        self.values = values
        self.cellText = cellText
        self.normalizeRows = normalizeRows
    }

    public func html() -> String {
        let rows = values.count, columns = values.map(\.count).max() ?? 0
        let cell = max(18, min(64, 360 / Double(max(rows, columns, 1))))
        let labelWidth = 110.0, top = 56.0
        let width = labelWidth + Double(columns) * cell + 16, height = top + Double(rows) * cell + 16
        let maximum = values.flatMap { $0 }.filter(\.isFinite).max() ?? 1
        var svg = #"<svg class="heatmap" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 \#(f(width)) \#(f(height))" width="\#(f(width))" height="\#(f(height))" role="img" aria-label="\#(HTML.escape(title))">"#
        svg += "<title>\(HTML.escape(title))</title>"
        svg += #"<text class="plot-title" x="4" y="16" font-size="13" font-weight="bold">\#(HTML.escape(title))</text>"#
        svg += #"<text class="axis-title" x="\#(f(labelWidth + Double(columns) * cell / 2))" y="32" font-size="11" text-anchor="middle">\#(HTML.escape(columnTitle))</text>"#
        svg += #"<text class="axis-title" x="4" y="\#(f(top - 4))" font-size="11">\#(HTML.escape(rowTitle)) ↓</text>"#
        for (column, label) in columnLabels.enumerated() {
            svg += #"<text class="tick" x="\#(f(labelWidth + (Double(column) + 0.5) * cell))" y="\#(f(top - 6))" font-size="10" text-anchor="middle">\#(HTML.escape(String(label.prefix(12))))<title>\#(HTML.escape(label))</title></text>"#
        }
        for (row, rowValues) in values.enumerated() {
            let label = rowLabels.indices.contains(row) ? rowLabels[row] : String(row)
            let y = top + Double(row) * cell
            svg += #"<text class="tick" x="\#(f(labelWidth - 6))" y="\#(f(y + cell / 2 + 4))" font-size="10" text-anchor="end">\#(HTML.escape(String(label.prefix(16))))<title>\#(HTML.escape(label))</title></text>"#
            let rowTotal = rowValues.filter(\.isFinite).reduce(0, +)
            for (column, value) in rowValues.enumerated() {
                let scale = normalizeRows ? rowTotal : maximum
                let intensity = value.isFinite && scale > 0 ? min(max(value / scale, 0), 1) : 0
                let fill = Self.blue(intensity)
                let x = labelWidth + Double(column) * cell
                let text = cellText.flatMap { $0.indices.contains(row) && $0[row].indices.contains(column) ? $0[row][column] : nil } ?? trim(value)
                let columnLabel = columnLabels.indices.contains(column) ? columnLabels[column] : String(column)
                var tip = "\(rowTitle) \(label), \(columnTitle) \(columnLabel): \(text)"
                if normalizeRows, rowTotal > 0 { tip += String(format: " (%.1f %% of the row)", 100 * value / rowTotal) }
                svg += #"<rect class="cell" x="\#(f(x))" y="\#(f(y))" width="\#(f(cell - 1))" height="\#(f(cell - 1))" fill="\#(fill)" data-row="\#(row)" data-column="\#(column)" data-value="\#(HTML.escape(text))"><title>\#(HTML.escape(tip))</title></rect>"#
                svg += #"<text x="\#(f(x + cell / 2))" y="\#(f(y + cell / 2 + 4))" font-size="\#(f(min(12, cell / 3)))" text-anchor="middle" fill="\#(intensity > 0.55 ? "white" : "rgb(17,17,17)")" pointer-events="none">\#(HTML.escape(text))</text>"#
            }
        }
        svg += "</svg>"
        return #"<figure class="plot" id="\#(HTML.escape(id))" data-plot="\#(HTML.escape(id))">\#(svg)<figcaption>\#(HTML.escape(caption))</figcaption></figure>"#
    }

    /// White (0) to dark blue (1).
    static func blue(_ intensity: Double) -> String {
        let r = Int(247 - intensity * (247 - 8)), g = Int(251 - intensity * (251 - 48)), b = Int(255 - intensity * (255 - 107))
        return String(format: "#%02x%02x%02x", r, g, b)
    }
}

// Scalpel — ScalpelReport
// SPDX-License-Identifier: Apache-2.0
import Foundation

/// An x–y chart drawn as inline SVG: lines with optional confidence bands, scatter points with optional
/// error bars, bars over x intervals, vertical markers and the y = x diagonal, on linear or log axes with
/// ticks, axis titles, a legend and a caption. Every point, bar and marker carries a `<title>` tooltip
/// with its numbers; every string is escaped.
public struct Chart: Sendable {
    public struct Point: Sendable, Equatable {
        public var x: Double
        public var y: Double
        public init(_ x: Double, _ y: Double) { self.x = x; self.y = y }
    }

    public enum Layer: Sendable {
        /// A polyline; `band` (lower, upper at the same x) is shaded under it.
        case line(name: String, points: [Point], band: [(lower: Double, upper: Double)]? = nil, dashed: Bool = false)
        /// Points with an optional ± error per point and a label shown in the tooltip.
        case scatter(name: String, points: [Point], errors: [Double]? = nil, labels: [String]? = nil)
        /// Bars from `from` to `to` on x with height `value`; the tooltip adds `note`.
        case bars(name: String, bars: [(from: Double, to: Double, value: Double, note: String)])
        /// A vertical line at x with a label.
        case marker(x: Double, label: String)
        /// The y = x line (perfect calibration, chance ROC).
        case diagonal(name: String)
    }

    public var id: String
    public var title: String
    public var caption: String
    public var xLabel: String
    public var yLabel: String
    public var layers: [Layer]
    public var xScale: PlotScale.Kind = .linear
    /// Fixed ranges; nil fits the data.
    public var xRange: ClosedRange<Double>?
    public var yRange: ClosedRange<Double>?

    public static let width = 520.0, height = 330.0
    static let left = 62.0, right = 14.0, top = 30.0, bottom = 46.0
    static let palette = ["#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#17becf", "#8c564b", "#e377c2"]

    public init(id: String, title: String, caption: String, xLabel: String, yLabel: String, layers: [Layer],
                xScale: PlotScale.Kind = .linear, xRange: ClosedRange<Double>? = nil, yRange: ClosedRange<Double>? = nil) {
        self.id = id
        self.title = title
        self.caption = caption
        self.xLabel = xLabel
        self.yLabel = yLabel
        self.layers = layers
        self.xScale = xScale
        self.xRange = xRange
        self.yRange = yRange
    }

    /// The data extent over every layer (finite values only).
    func extent() -> (x: ClosedRange<Double>, y: ClosedRange<Double>) {
        var xs: [Double] = [], ys: [Double] = []
        for layer in layers {
            switch layer {
            case .line(_, let points, let band, _):
                xs += points.map(\.x); ys += points.map(\.y)
                if let band { ys += band.flatMap { [$0.lower, $0.upper] } }
            case .scatter(_, let points, let errors, _):
                xs += points.map(\.x); ys += points.map(\.y)
                if let errors { ys += zip(points, errors).flatMap { [$0.y - $1, $0.y + $1] } }
            case .bars(_, let bars):
                xs += bars.flatMap { [$0.from, $0.to] }; ys += bars.map(\.value) + [0]
            case .marker(let x, _): xs.append(x)
            case .diagonal: break
            }
        }
        let finiteX = xs.filter { $0.isFinite && (xScale == .linear || $0 > 0) }
        let finiteY = ys.filter(\.isFinite)
        // Fitted ranges get a margin so that points and their labels stay inside the frame.
        var x = xRange ?? ((finiteX.min() ?? 0)...(finiteX.max() ?? 1))
        if xRange == nil {
            if xScale == .log10 {
                x = (x.lowerBound / 1.6)...(x.upperBound * 1.6)
            } else if x.upperBound > x.lowerBound {
                let pad = (x.upperBound - x.lowerBound) * 0.03
                x = (x.lowerBound - pad)...(x.upperBound + pad)
            }
        }
        var y = yRange ?? ((finiteY.min() ?? 0)...(finiteY.max() ?? 1))
        if yRange == nil, y.upperBound > y.lowerBound {
            let pad = (y.upperBound - y.lowerBound) * 0.05
            y = (y.lowerBound - pad)...(y.upperBound + pad)
        }
        return (x, y)
    }

    /// The `<figure>` with the SVG and its caption.
    public func html() -> String {
        let (xExtent, yExtent) = extent()
        let x = PlotScale(xScale, lower: xExtent.lowerBound, upper: xExtent.upperBound,
                          start: Self.left, end: Self.width - Self.right)
        let y = PlotScale(.linear, lower: yExtent.lowerBound, upper: yExtent.upperBound,
                          start: Self.height - Self.bottom, end: Self.top)
        var svg = #"<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 \#(Int(Self.width)) \#(Int(Self.height))" role="img" aria-label="\#(HTML.escape(title))">"#
        svg += "<title>\(HTML.escape(title))</title>"
        svg += axes(x: x, y: y)
        svg += "<g clip-path=\"url(#clip-\(HTML.escape(id)))\">"
        svg += #"<clipPath id="clip-\#(HTML.escape(id))"><rect x="\#(f(Self.left))" y="\#(f(Self.top))" width="\#(f(Self.width - Self.left - Self.right))" height="\#(f(Self.height - Self.top - Self.bottom))"/></clipPath>"#
        var legend: [(String, String, Bool)] = []
        var colorIndex = 0
        for layer in layers {
            let color = Self.palette[colorIndex % Self.palette.count]
            switch layer {
            case .line(let name, let points, let band, let dashed):
                colorIndex += 1
                svg += drawLine(name: name, points: points, band: band, dashed: dashed, color: color, x: x, y: y)
                legend.append((name, color, dashed))
            case .scatter(let name, let points, let errors, let labels):
                colorIndex += 1
                svg += drawScatter(name: name, points: points, errors: errors, labels: labels, color: color, x: x, y: y)
                legend.append((name, color, false))
            case .bars(let name, let bars):
                colorIndex += 1
                for bar in bars where bar.value.isFinite {
                    let x0 = x.position(bar.from), x1 = x.position(bar.to), y0 = y.position(0), y1 = y.position(bar.value)
                    svg += #"<rect class="bar" x="\#(f(min(x0, x1) + 1))" y="\#(f(min(y0, y1)))" width="\#(f(max(abs(x1 - x0) - 2, 1)))" height="\#(f(abs(y1 - y0)))" fill="\#(color)" fill-opacity="0.6"><title>\#(HTML.escape("\(name): \(trim(bar.from))–\(trim(bar.to)): \(trim(bar.value))\(bar.note.isEmpty ? "" : " (\(bar.note))")"))</title></rect>"#
                }
                legend.append((name, color, false))
            case .marker(let value, let label):
                let px = x.position(value)
                svg += #"<line class="marker" x1="\#(f(px))" x2="\#(f(px))" y1="\#(f(Self.top))" y2="\#(f(Self.height - Self.bottom))" stroke="rgb(85,85,85)" stroke-dasharray="4 3"><title>\#(HTML.escape("\(label): \(trim(value))"))</title></line>"#
                svg += #"<text x="\#(f(px + 4))" y="\#(f(Self.top + 12))" font-size="11" fill="rgb(85,85,85)">\#(HTML.escape(label))</text>"#
            case .diagonal(let name):
                let lowest = max(x.lower, y.lower), highest = min(x.upper, y.upper)
                if highest > lowest {
                    svg += #"<line class="diagonal" x1="\#(f(x.position(lowest)))" y1="\#(f(y.position(lowest)))" x2="\#(f(x.position(highest)))" y2="\#(f(y.position(highest)))" stroke="rgb(153,153,153)" stroke-dasharray="2 3"><title>\#(HTML.escape(name))</title></line>"#
                }
            }
        }
        svg += "</g>" + legendSVG(legend) + "</svg>"
        return #"<figure class="plot" id="\#(HTML.escape(id))" data-plot="\#(HTML.escape(id))">\#(svg)<figcaption>\#(HTML.escape(caption))</figcaption></figure>"#
    }

    private func drawLine(name: String, points: [Point], band: [(lower: Double, upper: Double)]?, dashed: Bool,
                          color: String, x: PlotScale, y: PlotScale) -> String {
        var svg = ""
        let drawable = points.indices.filter { points[$0].x.isFinite && points[$0].y.isFinite }
        if let band, band.count == points.count {
            let inBand = drawable.filter { band[$0].lower.isFinite && band[$0].upper.isFinite }
            let upper = inBand.map { "\(f(x.position(points[$0].x))),\(f(y.position(band[$0].upper)))" }
            let lower = inBand.reversed().map { "\(f(x.position(points[$0].x))),\(f(y.position(band[$0].lower)))" }
            if !inBand.isEmpty {
                svg += #"<polygon class="band" points="\#((upper + lower).joined(separator: " "))" fill="\#(color)" fill-opacity="0.18" stroke="none"><title>\#(HTML.escape("\(name): 95 % band"))</title></polygon>"#
            }
        }
        let path = drawable.map { "\(f(x.position(points[$0].x))),\(f(y.position(points[$0].y)))" }.joined(separator: " ")
        svg += #"<polyline class="line" points="\#(path)" fill="none" stroke="\#(color)" stroke-width="2"\#(dashed ? #" stroke-dasharray="6 4""# : "")><title>\#(HTML.escape(name))</title></polyline>"#
        // Points with tooltips where there are few enough to hover (curves with many points list their
        // numbers in a table beside the plot).
        if drawable.count <= 120 {
            for index in drawable {
                let point = points[index]
                var tip = "\(name): x = \(trim(point.x)), y = \(trim(point.y))"
                if let band, band.count == points.count { tip += " (95 % band \(trim(band[index].lower))–\(trim(band[index].upper)))" }
                svg += #"<circle class="point" cx="\#(f(x.position(point.x)))" cy="\#(f(y.position(point.y)))" r="2.5" fill="\#(color)"><title>\#(HTML.escape(tip))</title></circle>"#
            }
        }
        return svg
    }

    private func drawScatter(name: String, points: [Point], errors: [Double]?, labels: [String]?, color: String,
                             x: PlotScale, y: PlotScale) -> String {
        var svg = ""
        for (index, point) in points.enumerated() where point.x.isFinite && point.y.isFinite {
            let px = x.position(point.x), py = y.position(point.y)
            let error = errors.flatMap { $0.indices.contains(index) ? $0[index] : nil }
            if let error, error.isFinite, error > 0 {
                svg += #"<line class="error" x1="\#(f(px))" x2="\#(f(px))" y1="\#(f(y.position(point.y - error)))" y2="\#(f(y.position(point.y + error)))" stroke="\#(color)"/>"#
            }
            let label = labels.flatMap { $0.indices.contains(index) ? $0[index] : nil }
            let tip = "\(label ?? name): x = \(trim(point.x)), y = \(trim(point.y))" + (error.map { " ± \(trim($0))" } ?? "")
            svg += #"<circle class="point" cx="\#(f(px))" cy="\#(f(py))" r="4" fill="\#(color)"><title>\#(HTML.escape(tip))</title></circle>"#
            if let label {
                svg += #"<text x="\#(f(px + 6))" y="\#(f(py - 6))" font-size="10" fill="rgb(51,51,51)">\#(HTML.escape(label))</text>"#
            }
        }
        return svg
    }

    private func axes(x: PlotScale, y: PlotScale) -> String {
        let bottomY = Self.height - Self.bottom
        var svg = #"<rect x="\#(f(Self.left))" y="\#(f(Self.top))" width="\#(f(Self.width - Self.left - Self.right))" height="\#(f(bottomY - Self.top))" fill="white" stroke="rgb(136,136,136)"/>"#
        let xTicks = x.ticks(), yTicks = y.ticks()
        for tick in xTicks {
            let px = x.position(tick)
            svg += #"<line x1="\#(f(px))" x2="\#(f(px))" y1="\#(f(Self.top))" y2="\#(f(bottomY + 4))" stroke="rgb(227,227,227)"/>"#
            svg += #"<text class="tick" x="\#(f(px))" y="\#(f(bottomY + 16))" font-size="11" text-anchor="middle">\#(HTML.escape(x.label(tick, ticks: xTicks)))</text>"#
        }
        for tick in yTicks {
            let py = y.position(tick)
            svg += #"<line x1="\#(f(Self.left - 4))" x2="\#(f(Self.width - Self.right))" y1="\#(f(py))" y2="\#(f(py))" stroke="rgb(227,227,227)"/>"#
            svg += #"<text class="tick" x="\#(f(Self.left - 7))" y="\#(f(py + 4))" font-size="11" text-anchor="end">\#(HTML.escape(y.label(tick, ticks: yTicks)))</text>"#
        }
        svg += #"<text class="axis-title" x="\#(f((Self.left + Self.width - Self.right) / 2))" y="\#(f(Self.height - 8))" font-size="12" text-anchor="middle">\#(HTML.escape(xLabel))</text>"#
        svg += #"<text class="axis-title" transform="translate(14 \#(f((Self.top + bottomY) / 2))) rotate(-90)" font-size="12" text-anchor="middle">\#(HTML.escape(yLabel))</text>"#
        svg += #"<text class="plot-title" x="\#(f(Self.left))" y="18" font-size="13" font-weight="bold">\#(HTML.escape(title))</text>"#
        return svg
    }

    private func legendSVG(_ entries: [(String, String, Bool)]) -> String {
        guard entries.count > 1 else { return "" }
        var svg = "<g class=\"legend\">"
        for (index, entry) in entries.prefix(8).enumerated() {
            let y = Self.top + 8 + Double(index) * 14
            let x = Self.width - Self.right - 150
            svg += #"<line x1="\#(f(x))" x2="\#(f(x + 18))" y1="\#(f(y))" y2="\#(f(y))" stroke="\#(entry.1)" stroke-width="2"\#(entry.2 ? #" stroke-dasharray="6 4""# : "")/>"#
            svg += #"<text x="\#(f(x + 22))" y="\#(f(y + 4))" font-size="10">\#(HTML.escape(String(entry.0.prefix(28))))</text>"#
        }
        return svg + "</g>"
    }
}

/// A coordinate with 1 decimal.
func f(_ value: Double) -> String { value.isFinite ? String(format: "%.1f", value) : "0" }

/// A number for a tooltip: up to 4 significant decimals, no trailing zeros.
func trim(_ value: Double) -> String {
    guard value.isFinite else { return value.isNaN ? "n/a" : (value > 0 ? "∞" : "−∞") }
    if abs(value) >= 1e5 || value == value.rounded() && abs(value) < 1e15 {
        return value == value.rounded() && abs(value) < 1e15 ? String(Int64(value)) : String(format: "%.4g", value)
    }
    var text = String(format: "%.4f", value)
    while text.hasSuffix("0") { text.removeLast() }
    if text.hasSuffix(".") { text.removeLast() }
    return text
}

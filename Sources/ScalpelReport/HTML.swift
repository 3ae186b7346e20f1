// Scalpel — ScalpelReport
// SPDX-License-Identifier: Apache-2.0
import Foundation

/// Text for HTML and SVG: every string that comes from data goes through ``escape(_:)``.
public enum HTML {
    /// `&`, `<`, `>`, `"` and `'` as character references, so text can sit in element content and in
    /// quoted attribute values alike.
    public static func escape(_ text: String) -> String {
        var escaped = ""
        escaped.reserveCapacity(text.utf8.count)
        for character in text.unicodeScalars {
            switch character {
            case "&": escaped += "&amp;"
            case "<": escaped += "&lt;"
            case ">": escaped += "&gt;"
            case "\"": escaped += "&quot;"
            case "'": escaped += "&#39;"
            default: escaped.unicodeScalars.append(character)
            }
        }
        return escaped
    }

    /// A number as the report shows it: 4 decimals, an integer as is, "–" for nil and "n/a" for NaN.
    public static func number(_ value: Double?, decimals: Int = 4) -> String {
        guard let value else { return "–" }
        guard value.isFinite else { return value.isNaN ? "n/a" : (value > 0 ? "∞" : "−∞") }
        return String(format: "%.\(decimals)f", value)
    }

    /// An integer with thin-space thousands separators (1 234 567).
    public static func count(_ value: Int) -> String {
        let digits = String(value.magnitude)
        var grouped = ""
        for (index, digit) in digits.enumerated() {
            if index > 0, (digits.count - index) % 3 == 0 { grouped += "\u{202F}" }
            grouped.append(digit)
        }
        return (value < 0 ? "−" : "") + grouped
    }

    /// `<table>` with a header row and body rows; cells are HTML already (escape data before).
    public static func table(header: [String], rows: [[String]], caption: String? = nil, id: String? = nil) -> String {
        var html = "<table\(id.map { " id=\"\(escape($0))\"" } ?? "")>"
        if let caption { html += "<caption>\(escape(caption))</caption>" }
        html += "<thead><tr>" + header.map { "<th scope=\"col\">\(escape($0))</th>" }.joined() + "</tr></thead><tbody>"
        for row in rows { html += "<tr>" + row.map { "<td>\($0)</td>" }.joined() + "</tr>" }
        return html + "</tbody></table>"
    }
}

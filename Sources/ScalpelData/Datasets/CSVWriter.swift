// Scalpel — ScalpelData
// SPDX-License-Identifier: Apache-2.0

/// Writes CSV as RFC 4180 describes it, for every CSV file Scalpel writes (predictions, comparison tables,
/// analyses, attack results): a field holding a comma, a quote, a line break or leading/trailing spaces is
/// quoted, with quotes doubled; rows end in "\n" (which every reader, ``CSVTable`` included, accepts).
/// A path containing a newline thus stays one field of one row.
public enum CSVWriter {
    /// `text` as one CSV field.
    public static func field(_ text: String) -> String {
        let needsQuotes = text.contains { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }
            || text.first == " " || text.last == " "
        return needsQuotes ? "\"" + text.replacingOccurrences(of: "\"", with: "\"\"") + "\"" : text
    }

    /// One row: the fields, each quoted as needed, joined by commas (no line end).
    public static func row(_ fields: [String]) -> String { fields.map(field).joined(separator: ",") }

    /// A whole file: one line per row, each ended by "\n".
    public static func document(_ rows: [[String]]) -> String { rows.map { row($0) + "\n" }.joined() }
}

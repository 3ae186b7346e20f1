// Scalpel — ScalpelData
// SPDX-License-Identifier: Apache-2.0
import Foundation

/// A CSV file read by RFC 4180: a header row, then rows of the same number of fields. Fields may be
/// quoted (`"a, b"`), with `""` for a quote inside and commas or line breaks inside the quotes; lines end
/// in LF or CRLF; a UTF-8 byte-order mark is skipped; blank lines are ignored.
public struct CSVTable: Sendable, Equatable {
    /// The file, for errors.
    public let source: String
    /// Column names, as written (surrounding spaces removed).
    public let header: [String]
    /// The data rows, each with `header.count` fields.
    public let rows: [[String]]
    /// The line of the file each row starts on (1-based; the header is line 1 unless blank lines precede it).
    public let lineNumbers: [Int]

    /// Reads the CSV file at `url`.
    ///
    /// - Throws: ``DataSourceError`` naming the file (and line): unreadable, not UTF-8, empty, an
    ///   unterminated quote, text after a closing quote, a duplicate column name, or a row whose
    ///   number of fields differs from the header's.
    public init(contentsOf url: URL) throws {
        let data: Data
        do {
            data = try Data(contentsOf: url)
        } catch {
            throw DataSourceError(file: url.path, problem: "cannot be read (\(error.localizedDescription))",
                                  fix: "check the path and its permissions")
        }
        try self.init(data: data, source: url.path)
    }

    /// Parses CSV bytes; `source` names them in errors.
    public init(data: Data, source: String) throws {
        var bytes = [UInt8](data)
        if bytes.starts(with: [0xEF, 0xBB, 0xBF]) { bytes.removeFirst(3) }
        guard String(validating: bytes, as: UTF8.self) != nil else {
            throw DataSourceError(file: source, problem: "is not UTF-8 text", fix: "save the CSV file as UTF-8")
        }
        let records = try CSVTable.records(bytes, source: source)
        guard let first = records.first else {
            throw DataSourceError(file: source, problem: "is empty (no header row)",
                                  fix: "the first line must name the columns, e.g. path,label")
        }
        let names = first.fields.map { $0.trimmingCharacters(in: .whitespaces) }
        var seen = Set<String>()
        for name in names where !seen.insert(name).inserted {
            throw DataSourceError(file: source, location: "line \(first.line)", problem: "column '\(name)' appears twice in the header",
                                  fix: "give every column its own name")
        }
        for record in records.dropFirst() where record.fields.count != names.count {
            throw DataSourceError(file: source, location: "line \(record.line)",
                                  problem: "row has \(record.fields.count) fields, the header has \(names.count) (\(names.joined(separator: ",")))",
                                  fix: "quote fields that contain commas, and give every row one value per column")
        }
        self.source = source
        header = names
        rows = records.dropFirst().map(\.fields)
        lineNumbers = records.dropFirst().map(\.line)
    }

    /// The position of column `name` in ``header``, or nil.
    public func column(_ name: String) -> Int? { header.firstIndex(of: name) }

    private struct Record {
        var fields: [String]
        var line: Int
    }

    /// Splits the bytes into records of fields, skipping blank lines.
    private static func records(_ bytes: [UInt8], source: String) throws -> [Record] {
        let quote = UInt8(ascii: "\""), comma = UInt8(ascii: ","), cr = UInt8(ascii: "\r"), lf = UInt8(ascii: "\n")
        var records: [Record] = []
        var fields: [String] = []
        var field: [UInt8] = []
        var line = 1, recordLine = 1
        var quoted = false  // the current field started with a quote
        var inQuotes = false
        var index = 0
        func endField() {
            fields.append(String(decoding: field, as: UTF8.self))
            field.removeAll(keepingCapacity: true)
            quoted = false
        }
        func endRecord() {
            endField()
            if !(fields.count == 1 && fields[0].isEmpty) { records.append(Record(fields: fields, line: recordLine)) }
            fields.removeAll()
        }
        while index < bytes.count {
            let byte = bytes[index]
            if inQuotes {
                if byte == quote {
                    if index + 1 < bytes.count, bytes[index + 1] == quote {
                        field.append(quote)
                        index += 2
                        continue
                    }
                    inQuotes = false
                    if index + 1 < bytes.count, ![comma, cr, lf].contains(bytes[index + 1]) {
                        throw DataSourceError(file: source, location: "line \(line)", problem: "text after a closing quote",
                                              fix: "write a quote inside a quoted field as two quotes (\"\")")
                    }
                } else {
                    if byte == lf { line += 1 }
                    field.append(byte)
                }
                index += 1
                continue
            }
            switch byte {
            case quote where field.isEmpty && !quoted:
                inQuotes = true
                quoted = true
            case comma:
                endField()
            case cr, lf:
                endRecord()
                if byte == cr, index + 1 < bytes.count, bytes[index + 1] == lf { index += 1 }
                line += 1
                recordLine = line
            default:
                field.append(byte)
            }
            index += 1
        }
        if inQuotes {
            throw DataSourceError(file: source, location: "line \(recordLine)", problem: "a quoted field is never closed (unterminated quote)",
                                  fix: "close the quote, or write a quote inside a field as two quotes (\"\")")
        }
        if !field.isEmpty || !fields.isEmpty || quoted { endRecord() }
        return records
    }
}

// Scalpel — ScalpelReport
// SPDX-License-Identifier: Apache-2.0
import Foundation
import ScalpelData

/// What a report shows of a `scalpel explain` folder (ScalpelAnalysis' ExplanationJob; by default
/// RUN/explanations/METHOD-CUT-CLASS): `summary.json` (method, cut, means of the faithfulness checks),
/// `explanations.csv` (one row per image: explained and predicted class, probability, deletion and
/// insertion areas, randomisation rank correlation) and the per-class overlay grids `grid-CLASS.png`.
/// All knowledge of that format is here; the PNGs are embedded as they are, never decoded.
public struct ExplanationRecord: Sendable {
    /// One image's row of `explanations.csv` (nil: the check was skipped or undefined).
    public struct Row: Sendable, Equatable {
        public var id: String
        public var explainedClass: String
        public var predictedClass: String
        public var probability: Double?
        public var deletionArea: Double?
        public var insertionArea: Double?
        public var randomisationCorrelation: Double?
    }

    /// A grid of overlays for one class: the PNG file's bytes and its size from the IHDR chunk.
    public struct Grid: Sendable {
        public var className: String
        public var fileName: String
        public var width: Int
        public var height: Int
        public var png: Data
        public var dataURI: String { "data:image/png;base64," + png.base64EncodedString() }
    }

    struct Summary: Decodable {
        var method: String?
        var cut: String?
        var architecture: String?
        var images: Int?
        var explained: String?
        var meanDeletionAuc: Double?
        var meanInsertionAuc: Double?
        var meanRandomisationSpearman: Double?
    }

    /// The folder's path relative to the report's folder ("" for the folder itself).
    public let name: String
    public let method: String?
    public let cut: String?
    public let architecture: String?
    /// "predicted" or the class every image was explained for.
    public let explained: String?
    public let meanDeletionArea: Double?
    public let meanInsertionArea: Double?
    public let meanRandomisationCorrelation: Double?
    public let rows: [Row]
    public let grids: [Grid]

    static let summaryLimit = 1 << 20, tableLimit = 64 << 20, gridLimit = 8 << 20, gridCount = 32
    static let columns = ["id", "explained_class", "predicted_class", "probability", "deletion_auc", "insertion_auc", "randomisation_spearman"]

    /// Whether `relative` (in `files`) is a folder written by `scalpel explain`.
    static func isExplanationFolder(_ files: ResultFiles, _ relative: String) -> Bool {
        let prefix = relative.isEmpty ? "" : relative + "/"
        return files.exists(prefix + "summary.json") && files.exists(prefix + "explanations.csv")
    }

    /// The explanation folders of a run: `explanations/*` (at most 16).
    static func all(in files: ResultFiles) throws -> [ExplanationRecord] {
        try files.subfolders(of: "explanations").filter { isExplanationFolder(files, $0) }.prefix(16)
            .map { try ExplanationRecord(files: files, relative: $0) }
    }

    init(files: ResultFiles, relative: String) throws {
        let prefix = relative.isEmpty ? "" : relative + "/"
        let decoder = JSONDecoder()
        decoder.keyDecodingStrategy = .convertFromSnakeCase
        let summary = try files.decode(Summary.self, prefix + "summary.json", limit: Self.summaryLimit,
                                       what: "the summary of scalpel explain", decoder: decoder)
        let csvName = prefix + "explanations.csv"
        let table: CSVTable
        do {
            table = try CSVTable(data: try files.data(csvName, limit: Self.tableLimit), source: files.url(csvName).path)
        } catch let error as ReportError {
            throw error
        } catch {
            throw ReportError("\(files.url(csvName).path) is not a CSV file: \(error)")
        }
        let indices = Self.columns.map { table.header.firstIndex(of: $0) }
        guard let idColumn = indices[0], let explainedColumn = indices[1], let predictedColumn = indices[2] else {
            throw ReportError("\(files.url(csvName).path) lacks the columns id, explained_class, predicted_class of scalpel explain (its header: \(table.header.joined(separator: ",")))")
        }
        func number(_ row: [String], _ column: Int?) -> Double? {
            guard let column, column < row.count else { return nil }
            return Double(row[column])
        }
        rows = table.rows.map { row in
            Row(id: idColumn < row.count ? row[idColumn] : "", explainedClass: explainedColumn < row.count ? row[explainedColumn] : "",
                predictedClass: predictedColumn < row.count ? row[predictedColumn] : "", probability: number(row, indices[3]),
                deletionArea: number(row, indices[4]), insertionArea: number(row, indices[5]),
                randomisationCorrelation: number(row, indices[6]))
        }
        name = relative
        method = summary.method
        cut = summary.cut
        architecture = summary.architecture
        explained = summary.explained
        meanDeletionArea = summary.meanDeletionAuc
        meanInsertionArea = summary.meanInsertionAuc
        meanRandomisationCorrelation = summary.meanRandomisationSpearman
        let folder = relative.isEmpty ? files.folder : files.url(relative)
        let gridNames = ((try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? [])
            .filter { $0.hasPrefix("grid-") && $0.hasSuffix(".png") }.sorted().prefix(Self.gridCount)
        grids = try gridNames.map { fileName in
            let data = try files.data(prefix + fileName, limit: Self.gridLimit)
            guard let size = Self.pngSize(data) else {
                throw ReportError("\(files.url(prefix + fileName).path) is not a PNG image; remove it or run scalpel explain again")
            }
            return Grid(className: String(fileName.dropFirst(5).dropLast(4)), fileName: fileName, width: size.width, height: size.height, png: data)
        }
    }

    /// Width and height from a PNG's signature and IHDR chunk; nil when the bytes are not a PNG.
    static func pngSize(_ data: Data) -> (width: Int, height: Int)? {
        let bytes = [UInt8](data.prefix(24))
        guard bytes.count == 24, bytes[0..<8] == [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A], bytes[12..<16] == [0x49, 0x48, 0x44, 0x52]
        else { return nil }
        func word(_ at: Int) -> Int { bytes[at..<(at + 4)].reduce(0) { $0 << 8 | Int($1) } }
        let (width, height) = (word(16), word(20))
        guard (1...65_535).contains(width), (1...65_535).contains(height) else { return nil }
        return (width, height)
    }

    /// Per explained class: images and the means of each check over the images that have it.
    public var byClass: [(className: String, images: Int, deletion: Double?, insertion: Double?, randomisation: Double?)] {
        func mean(_ values: [Double?]) -> Double? {
            let present = values.compactMap { $0 }.filter(\.isFinite)
            return present.isEmpty ? nil : present.reduce(0, +) / Double(present.count)
        }
        var order: [String] = []
        var groups: [String: [Row]] = [:]
        for row in rows {
            if groups[row.explainedClass] == nil { order.append(row.explainedClass) }
            groups[row.explainedClass, default: []].append(row)
        }
        return order.map { name in
            let group = groups[name]!
            return (name, group.count, mean(group.map(\.deletionArea)), mean(group.map(\.insertionArea)),
                    mean(group.map(\.randomisationCorrelation)))
        }
    }
}

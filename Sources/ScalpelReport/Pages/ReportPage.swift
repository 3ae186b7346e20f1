// Scalpel — ScalpelReport
// SPDX-License-Identifier: Apache-2.0
import Foundation
import ScalpelTraining

/// A self-contained HTML page: inline CSS and SVG only — no script, no font, no network request (the
/// Content-Security-Policy forbids them, so even a string that escaped escaping could not run).
public struct ReportPage: Sendable {
    public var title: String
    /// HTML bodies of the page's parts, in order.
    public var parts: [String]
    /// Seconds between reloads while a run is training (nil for a finished page).
    public var refreshSeconds: Int?

    public init(title: String, parts: [String], refreshSeconds: Int? = nil) {
        self.title = title
        self.parts = parts
        self.refreshSeconds = refreshSeconds
    }

    /// A report of each folder in `folders`: a run folder (scalpel train), a comparison folder
    /// (scalpel compare, with its exposure table when `scalpel attack compare` wrote one), an exposure folder (exposure.json of scalpel attack compare), a UAP folder (results.json with uap.safetensors), an explanation folder (scalpel explain) or a sweep folder (sweep.json of scalpel sweep), detected by its files.
    public static func make(folders: [URL]) throws -> ReportPage {
        guard !folders.isEmpty else { throw ReportError("give at least one run or comparison folder") }
        var parts: [String] = []
        var names: [String] = []
        for (index, folder) in folders.enumerated() {
            let prefix = folders.count > 1 ? "f\(index)-" : ""
            let files = try ResultFiles(folder)
            if files.exists("exposure.json") {
                parts.append(ExposureSection(exposure: try ExposureRecord(files: files, relative: "exposure.json"), idPrefix: prefix).html())
            } else if UAPRecord.isUAPFolder(files, "") {
                parts.append(UAPSections(uap: try UAPRecord(files: files, relative: ""), idPrefix: prefix).html())
            } else if ExplanationRecord.isExplanationFolder(files, "") {
                parts.append(ExplanationSection(explanation: try ExplanationRecord(files: files, relative: ""), idPrefix: prefix).html())
            } else if SweepRecord.isSweepFolder(files) {
                parts.append(SweepSections(sweep: try SweepRecord(folder: folder), idPrefix: prefix).html())
            } else if files.exists("compare.json") {
                let comparison = try ComparisonRecord(folder: folder)
                parts.append(ComparisonSections(comparison, idPrefix: prefix).html())
                if files.exists("attacks/exposure.json") {
                    parts.append(ExposureSection(exposure: try ExposureRecord(files: files, relative: "attacks/exposure.json"), idPrefix: prefix).html())
                }
            } else {
                let run = try RunRecord(folder: folder)
                parts.append(RunSections(run, idPrefix: prefix).html())
            }
            names.append(files.folder.lastPathComponent)
        }
        return ReportPage(title: "Scalpel report: " + names.joined(separator: ", "), parts: parts)
    }

    public func html() -> String {
        let refresh = refreshSeconds.map { #"<meta http-equiv="refresh" content="\#($0)">"# } ?? ""
        return """
            <!DOCTYPE html>
            <html lang="en"><head><meta charset="utf-8">
            <meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:">
            <meta name="viewport" content="width=device-width, initial-scale=1">\(refresh)
            <title>\(HTML.escape(title))</title>
            <style>\(Self.css)</style></head>
            <body><header><h1>\(HTML.escape(title))</h1></header>
            <main>\(parts.joined(separator: "\n"))</main>
            <footer>Written by scalpel report from result files only.</footer></body></html>

            """
    }

    /// Writes the page atomically (temporary file, then rename).
    public func write(to url: URL) throws {
        try RunFolder.writeAtomically(Data(html().utf8), to: url)
    }

    static let css = """
        body{font-family:system-ui,-apple-system,"Segoe UI",sans-serif;margin:0;color:#1b1b1b;background:#fafafa}
        header,main,footer{max-width:1180px;margin:0 auto;padding:0 20px}
        h1{font-size:1.5rem}h2{font-size:1.2rem;border-bottom:1px solid #ddd;padding-bottom:4px}h3{font-size:1rem}
        section{background:#fff;border:1px solid #e2e2e2;border-radius:6px;padding:4px 18px 14px;margin:14px 0}
        .plots{display:flex;flex-wrap:wrap;gap:14px}
        figure.plot{margin:0;flex:1 1 480px;max-width:560px}figure.plot svg{width:100%;height:auto}figure.plot svg.heatmap{width:auto;max-width:100%}
        figcaption{font-size:.85rem;color:#444}
        table{border-collapse:collapse;font-size:.88rem;margin:8px 0}caption{text-align:left;font-weight:600;padding:4px 0}
        th,td{border:1px solid #ddd;padding:3px 8px;text-align:left}td.num{text-align:right;font-variant-numeric:tabular-nums}
        dl.summary{display:grid;grid-template-columns:max-content 1fr;gap:2px 14px}dt{font-weight:600}dd{margin:0}
        details{margin:6px 0}.note{color:#7a4b00}footer{font-size:.8rem;color:#666;padding:20px}
        """
}

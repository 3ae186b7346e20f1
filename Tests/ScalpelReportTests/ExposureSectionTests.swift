// Scalpel — ScalpelReportTests
// SPDX-License-Identifier: Apache-2.0
import Foundation
import Testing
@testable import ScalpelAttacks
@testable import ScalpelReport

/// The exposure section, from a table written by ScalpelAttacks' own ExposureTable (so a change of that
/// format fails here): alone, and inside the comparison it belongs to.
struct ExposureSectionTests {
    static func writeExposure(to folder: URL) throws {
        let entries = [
            ExposureTable.Entry(strategy: "full", model: "full/seed-0", kind: .natural, norm: .l2, zeta: 0.04, foolingRates: [0.3], images: 100),
            ExposureTable.Entry(strategy: "full", model: "full/seed-1", kind: .natural, norm: .l2, zeta: 0.04, foolingRates: [0.5], images: 100),
            ExposureTable.Entry(strategy: "full", model: "full/seed-0", kind: .random, norm: .l2, zeta: 0.04, foolingRates: [0.02], images: 100),
            ExposureTable.Entry(strategy: "<probe>", model: "probe", kind: .natural, norm: .l2, zeta: 0.04, foolingRates: [0.125], images: 80,
                                cleanMajorityShare: 0.975),
        ]
        var table = ExposureTable(title: "resnet on <data>", strategies: ["full", "<probe>"], entries: entries,
                                  cleanAUROC: ["full/seed-0": 0.9, "full/seed-1": 0.8])
        table.transfers[ExposureTable.key(kind: .natural, norm: .l2, zeta: 0.04)] =
            TransferMatrix(sources: ["full", "<probe>"], targets: ["full", "<probe>"], images: [100, 80], foolingRates: [[0.3, 0.2], [0.05, 0.125]])
        try table.write(to: folder)
    }

    @Test func exposureAloneAndInsideItsComparison() throws {
        let comparison = ReportFixtures.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: comparison) }
        try ReportFixtures.comparison(in: comparison)
        try Self.writeExposure(to: comparison.appendingPathComponent("attacks"))

        let alone = try ReportPage.make(folders: [comparison.appendingPathComponent("attacks")]).html()
        #expect(alone.contains(#"<section id="exposure""#))
        #expect(alone.contains(#"data-strategy="full" data-metric="natural-l2-0.04" data-part="mean">0.4000<"#))
        #expect(alone.contains(#"data-strategy="&lt;probe&gt;" data-metric="natural-l2-0.04" data-part="mean">0.1250<"#))
        #expect(alone.contains("0.8500 ± 0.0707") && alone.contains(#"id="transfer-natural-l2-0.04""#))
        #expect(!alone.contains("<probe>") && !alone.contains("<data>"))
        #expect(alone.contains(#"data-warning="nearly-constant">Nearly constant clean decisions: &lt;probe&gt; (97.5 % in one class)"#))

        let page = try ReportPage.make(folders: [comparison]).html()
        #expect(page.contains(#"data-section="strategies""#) && page.contains(#"<section id="exposure""#))
    }
}

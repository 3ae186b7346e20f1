// Scalpel — ScalpelReportTests
// SPDX-License-Identifier: Apache-2.0
import Foundation
import Testing
@testable import ScalpelAnalysis
@testable import ScalpelReport

/// The similarity section, from a similarity.json encoded with ScalpelAnalysis's own result types in the
/// layout `scalpel analyze similarity RUN` writes (so a change of that format fails here).
struct SimilaritySectionTests {
    /// The document `analyze similarity RUN` writes (RunSimilarityDocument's keys).
    struct Document: Encodable {
        var run: String
        var against: String?
        var split: String
        var reference: String
        var architecture: String
        var report: CutPointSimilarityReport
    }

    static func scores(_ cka: Double, svcca: Double?) -> SimilarityScores {
        SimilarityScores(datapoints: 100, featuresX: 8, featuresY: 8, linearCKA: cka, debiasedLinearCKA: nil, rbfCKA: nil,
                         rbfDatapoints: nil,
                         cca: nil,
                         svcca: svcca.map { CCAResult(coefficients: [$0], mean: $0, thresholdCount: 1, meanAll: $0, keptX: 8, keptY: 8) },
                         pwcca: .nan)
    }

    /// Writes RUN/analysis/similarity-test/similarity.json: three cut points (one named `<stage>`).
    static func writeSimilarity(toRun folder: URL) throws {
        let cuts = ["_blocks.2", "<stage>", "_blocks.10"]
        let values = [0.93, 0.71, 0.42]
        let report = CutPointSimilarityReport(
            images: 100, spatial: .automatic,
            cuts: zip(cuts, values).map { cut, value in
                CutPointComparison(cut: cut, channels: 24, spatialSizes: [[7, 7], [7, 7]],
                                   comparison: SimilarityComparison(
                                       scores: Self.scores(value, svcca: value - 0.1),
                                       baseline: RandomBaseline(draws: [], summary: ["linear-cka": MeanAndDeviation([0.1, 0.14])],
                                                                ccaCurve: nil, svccaCurve: nil),
                                       areaAboveBaseline: [:], skipped: [:]))
            },
            blockMatrix: BlockSimilarityMatrix(cuts: cuts, linearCKA: [[1, 0.8, 0.5], [0.8, 1, 0.6], [0.5, 0.6, 1]]))
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        encoder.nonConformingFloatEncodingStrategy = .convertToString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
        let analysis = folder.appendingPathComponent("analysis/similarity-test")
        try FileManager.default.createDirectory(at: analysis, withIntermediateDirectories: true)
        try encoder.encode(Document(run: folder.path, against: nil, split: "test", reference: "pretrained",
                                    architecture: "efficientnet_lite0", report: report))
            .write(to: analysis.appendingPathComponent("similarity.json"))
    }

    @Test func similarityCurvesAndBlockMatrixAppearWithTheirNumbers() throws {
        let folder = ReportFixtures.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        try ReportFixtures.run(in: folder)
        try Self.writeSimilarity(toRun: folder)

        let html = try ReportPage.make(folders: [folder]).html()
        #expect(html.contains(#"<section id="similarity""#))
        #expect(html.contains(#"data-plot="similarity-0""#) && html.contains(#"data-plot="block-cka-0""#))
        #expect(html.contains("linear-cka: x = 2, y = 0.71") || html.contains("&lt;stage&gt;: x = 2, y = 0.71"))
        #expect(html.contains("0.9300 (baseline 0.1200 ± 0.0283)"))
        #expect(html.contains("linear-cka random baseline"))
        #expect(!html.contains("<stage>") && html.contains("&lt;stage&gt;"))
        #expect(html.contains("pretrained vs this run, test split, 100 images"))

        // Without analysis results the section is absent.
        try FileManager.default.removeItem(at: folder.appendingPathComponent("analysis"))
        #expect(!(try ReportPage.make(folders: [folder]).html()).contains(#"id="similarity""#))
    }
}

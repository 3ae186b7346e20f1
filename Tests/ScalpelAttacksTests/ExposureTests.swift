// Scalpel — ScalpelAttacksTests
// SPDX-License-Identifier: Apache-2.0
import Foundation
import ScalpelAttacks
import Testing
import Torch

/// The transfer matrix, the exposure table's arithmetic (known answers), and the study on the fixture
/// CNN: resumable folders, controls counted once, matrices between strategies.
@Suite struct ExposureTests {
    @Test func wilsonIntervalAndSeedSummaryHaveKnownValues() throws {
        // 81 of 263 (Wilson 1927 / Newcombe 1998 example 2 uses 81/263: 0.2553 – 0.3662).
        let (lower, upper) = ExposureTable.wilson(fooled: 81, of: 263)
        #expect(abs(lower - 0.2553) < 5e-5 && abs(upper - 0.3662) < 5e-5)
        #expect(ExposureTable.wilson(fooled: 0, of: 10).lower == 0)
        let entries = [
            ExposureTable.Entry(strategy: "full", model: "full/seed-0", kind: .natural, norm: .l2, zeta: 0.04, foolingRates: [0.3], images: 100),
            ExposureTable.Entry(strategy: "full", model: "full/seed-1", kind: .natural, norm: .l2, zeta: 0.04, foolingRates: [0.5], images: 100),
            ExposureTable.Entry(strategy: "full", model: "full/seed-0", kind: .random, norm: .l2, zeta: 0.04, foolingRates: [0.02, 0.04], images: 100),
            ExposureTable.Entry(strategy: "scratch", model: "scratch", kind: .natural, norm: .l2, zeta: 0.04, foolingRates: [0.1], images: 50),
        ]
        let table = ExposureTable(title: "t", strategies: ["full", "scratch"], entries: entries,
                                  cleanAUROC: ["full/seed-0": 0.9, "full/seed-1": 0.8, "scratch": 0.7])
        let natural = try #require(table.rows[0].cells[ExposureTable.key(kind: .natural, norm: .l2, zeta: 0.04)])
        #expect(natural.models == 2 && abs(natural.mean - 0.4) < 1e-12 && abs(natural.std - 0.1414213562) < 1e-9)
        let pooled = ExposureTable.wilson(fooled: 80, of: 200)
        #expect(natural.lower == pooled.lower && natural.upper == pooled.upper)
        let random = try #require(table.rows[0].cells[ExposureTable.key(kind: .random, norm: .l2, zeta: 0.04)])
        #expect(abs(random.mean - 0.03) < 1e-12 && random.models == 1)
        #expect(random.lower == ExposureTable.wilson(fooled: 6, of: 200).lower)
        #expect(table.rows[0].seeds == 2 && abs(table.rows[0].cleanAUROC! - 0.85) < 1e-12 && table.rows[1].cleanAUROC == 0.7)
        #expect(table.markdown.contains("| scratch | 1 | 0.7000 ± 0.0000 | 0.1000 ± 0.0000 ["))
        #expect(table.csv.split(separator: "\n").count == 1 + 3)
        #expect(!table.markdown.contains("Nearly constant"))
    }

    @Test func nearlyConstantCleanDecisionsAreFlagged() throws {
        // 623 of 624 images in one clean class (TransFusion on PneumoniaMNIST): flagged; 491 of 624 is not.
        let entries = [
            ExposureTable.Entry(strategy: "transfusion", model: "transfusion", kind: .natural, norm: .l2, zeta: 0.04,
                                foolingRates: [0], images: 624, cleanMajorityShare: 623.0 / 624),
            ExposureTable.Entry(strategy: "full", model: "full", kind: .natural, norm: .l2, zeta: 0.04,
                                foolingRates: [0.15], images: 624, cleanMajorityShare: 491.0 / 624),
        ]
        let table = ExposureTable(title: "t", strategies: ["transfusion", "full"], entries: entries, cleanAUROC: [:])
        #expect(table.rows[0].cleanMajorityShare == 623.0 / 624)
        #expect(table.markdown.contains("transfusion: 99.8 % of the held-out images fall in one class"), "\(table.markdown)")
        #expect(!table.markdown.contains("full: 78"))
        // Tables written before the field existed still decode.
        let old = try JSONEncoder().encode(table.rows[1])
        var object = try #require(JSONSerialization.jsonObject(with: old) as? [String: Any])
        object["cleanMajorityShare"] = nil
        let row = try JSONDecoder().decode(ExposureTable.Row.self, from: JSONSerialization.data(withJSONObject: object))
        #expect(row.cleanMajorityShare == nil && row.strategy == "full")
    }

    @Test func transferMatrixDiagonalIsTheOwnFoolingRateAndShapesAreChecked() throws {
        let classifier = try AttackFixture.classifier()
        let heldout = try AttackFixture.tensor("attack_uap", "heldout")
        // Every image becomes pure red: whatever was not predicted red is fooled.
        let v = try Tensor.cat([try Tensor.ones([1, 16, 16]), try Tensor.ones([2, 16, 16]) * -1], axis: 0)
        let own = try PerturbationEvaluation(classifier: classifier, images: heldout, perturbation: v).foolingRate
        let half = try heldout.slice(axis: 0, start: 0, end: heldout.shape[0] / 2)
        let targets = [try TransferTarget(name: "a", classifier: classifier, images: heldout),
                       try TransferTarget(name: "b", classifier: classifier, images: half)]
        let matrix = try TransferMatrix(perturbations: [("a", v), ("zero", try Tensor.zeros([3, 16, 16]))], targets: targets)
        #expect(matrix.foolingRates[0][0] == own && own > 0, "the perturbation must fool some images for the test to mean something")
        #expect(matrix.foolingRates[1] == [0, 0])
        #expect(matrix.images == [heldout.shape[0], heldout.shape[0] / 2])
        #expect(matrix.csv.hasPrefix("source,a,b\na,"))
        #expect(throws: AttackError.self) { try TransferMatrix(perturbations: [("small", try Tensor.zeros([3, 8, 8]))], targets: targets) }
    }

    @Test func studyWritesResumableFoldersTableAndTransferMatrices() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("scalpel-exposure-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: directory) }
        let settings = try ExposureSettings(norms: [.l2], zetas: [0.1, 0.2], fgsmEpsilon: 0.03, chunkSize: 12, randomDraws: 2,
                                            seed: 1, naturalSource: "fixture photos")
        let members = [(strategy: "full", name: "full/seed-0"), (strategy: "full", name: "full/seed-1"),
                       (strategy: "probe", name: "probe")]
        var opened = 0
        func open(_ index: Int) throws -> ExposureModel {
            opened += 1
            let source = try AttackFixture.tensor("attack_uap", "source"), heldout = try AttackFixture.tensor("attack_uap", "heldout")
            let images = try SourceImages(dataset: try TensorImages(source), size: 16, channels: 3)
            return ExposureModel(classifier: try AttackFixture.classifier(), classNames: ["r", "g", "b"], training: images,
                                 trainingSource: images, natural: try SourceImages(dataset: try TensorImages(source), size: 16, channels: 3),
                                 heldout: heldout, heldoutLabels: nil)
        }
        let study = try ExposureStudy(directory: directory, settings: settings, members: members)
        let table = try study.run(title: "fixture", cleanAUROC: ["full/seed-0": 0.9, "full/seed-1": 0.92], open: open)
        #expect(opened == 3 + 2, "each model opened once for its UAPs and each strategy's first model once for the transfers")
        #expect(table.entries.count == 3 * 2 * 4, "natural, training, random and random of the natural UAP's size per model and ζ")
        let sized = try #require(table.entries.first { $0.kind == .randomNaturalSize && $0.model == "probe" && $0.zeta == 0.2 })
        let naturalResult = try JSONDecoder().decode(UAPResult.self, from: Data(contentsOf: directory.appendingPathComponent("probe/uap-natural-l2-0.2/results.json")))
        #expect(sized.foolingRate == ExposureTable.Entry(strategy: "", model: "", kind: .randomNaturalSize, norm: .l2, zeta: 0.2,
                                                          foolingRates: (naturalResult.randomAtUAPNorm ?? naturalResult.random).foolingRates,
                                                          images: naturalResult.heldout.images).foolingRate)
        let natural = try #require(table.rows[0].cells[ExposureTable.key(kind: .natural, norm: .l2, zeta: 0.2)])
        #expect(natural.models == 2 && natural.mean > 0)
        // Identical models and inputs: both seeds agree, and the larger ball fools at least as often here.
        #expect(natural.std == 0)
        #expect(table.rows[1].cleanAUROC == nil && table.rows[1].seeds == 1)
        let matrix = try #require(table.transfers[ExposureTable.key(kind: .training, norm: .l2, zeta: 0.1)])
        #expect(matrix.sources == ["full", "probe"] && matrix.targets == ["full", "probe"])
        let own = try #require(table.rows[0].cells[ExposureTable.key(kind: .training, norm: .l2, zeta: 0.1)])
        #expect(matrix.foolingRates[0][0] == own.mean && matrix.foolingRates[1][1] == own.mean)
        for file in ["exposure.md", "exposure.csv", "exposure.json", "transfer-natural-l2-0.2.csv", "full/seed-1/uap-training-l2-0.1/triptych.png"] {
            #expect(FileManager.default.fileExists(atPath: directory.appendingPathComponent(file).path), "missing \(file)")
        }
        // Run again: every UAP is read back, only the transfer targets are opened.
        opened = 0
        let again = try ExposureStudy(directory: directory, settings: settings, members: members)
            .run(title: "fixture", cleanAUROC: ["full/seed-0": 0.9, "full/seed-1": 0.92], open: open)
        #expect(opened == 2 && again == table)
    }
}

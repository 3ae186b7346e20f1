// Scalpel — ScalpelDataTests
// SPDX-License-Identifier: Apache-2.0
import Foundation
import Testing
@testable import ScalpelData
import ScalpelRandom

/// Labels and patients without images, for split tests.
struct LabelOnlyDataset: ImageDataset {
    var source = "synthetic"
    var task: ClassificationTask
    var classNames: [String]
    var rows: [[Int]]
    var patients: [String?]

    var count: Int { rows.count }
    func sampleID(_ index: Int) -> String { "sample-\(index)" }
    func labels(_ index: Int) -> [Int] { rows[index] }
    func patientID(_ index: Int) -> String? { patients[index] }
    func image(_ index: Int) throws -> DecodedImage { throw ImageDecodingError(file: sampleID(index), reason: "no image") }

    /// `patients` patients of class `class` (by patient index), each with 1…3 images.
    static func grouped(classes: Int, patients: Int, seed: UInt64) -> LabelOnlyDataset {
        var generator = SplitMix64(seed: seed)
        var rows: [[Int]] = [], ids: [String?] = []
        for patient in 0..<patients {
            let label = patient % classes == 0 || generator.below(4) == 0 ? 0 : patient % classes  // class 0 commoner
            for _ in 0...generator.below(3) {
                rows.append([label])
                ids.append("p\(patient)")
            }
        }
        return LabelOnlyDataset(task: classes == 2 ? .binary : .multiClass, classNames: (0..<classes).map { "c\($0)" },
                                rows: rows, patients: ids)
    }
}

@Suite struct DatasetSplitterTests {
    func members(_ split: any ImageDataset) -> [String] { (0..<split.count).map(split.sampleID) }

    @Test func noPatientIsInTwoSplitsAndEverySampleIsInOne() throws {
        let data = LabelOnlyDataset.grouped(classes: 3, patients: 120, seed: 1)
        let result = try DatasetSplitter.split(data, seed: 7)
        let splits = [result.splits.train, result.splits.validation, result.splits.test]
        #expect(splits.map(\.count).reduce(0, +) == data.count)
        #expect(Set(splits.flatMap(members)).count == data.count)
        let patientSets = splits.map { split in Set((0..<split.count).compactMap(split.patientID)) }
        #expect(patientSets[0].isDisjoint(with: patientSets[1]))
        #expect(patientSets[0].isDisjoint(with: patientSets[2]))
        #expect(patientSets[1].isDisjoint(with: patientSets[2]))
    }

    @Test(arguments: [UInt64(1), 2, 3, 4, 5])
    func everyClassComesWithinOneGroupOfItsShare(_ seed: UInt64) throws {
        let data = LabelOnlyDataset.grouped(classes: 3, patients: 150, seed: seed)
        let fractions = SplitFractions(train: 0.6, validation: 0.15, test: 0.25)
        let result = try DatasetSplitter.split(data, fractions: fractions, seed: seed &* 31)
        let total = data.classCounts
        let largestGroup = 3
        for (counts, share) in [(result.report.train, 0.6), (result.report.validation, 0.15), (result.report.test, 0.25)] {
            for (index, count) in counts.perClass.enumerated() {
                let target = share * Double(total[index])
                #expect(abs(Double(count) - target) <= Double(largestGroup), "class \(index): \(count) vs \(target)")
            }
        }
        #expect(result.report.warnings.isEmpty)
    }

    @Test func theSameSeedGivesTheSameSplitAndAnotherSeedAnother() throws {
        let data = LabelOnlyDataset.grouped(classes: 2, patients: 60, seed: 9)
        let first = try DatasetSplitter.split(data, seed: 42).splits
        let again = try DatasetSplitter.split(data, seed: 42).splits
        let other = try DatasetSplitter.split(data, seed: 43).splits
        #expect(members(first.train) == members(again.train))
        #expect(members(first.test) == members(again.test))
        #expect(members(first.train) != members(other.train))
    }

    @Test func samplesWithoutPatientsAreTheirOwnGroups() throws {
        let rows = (0..<40).map { [$0 % 4 == 0 ? 1 : 0] }
        let data = LabelOnlyDataset(task: .binary, classNames: ["no", "yes"], rows: rows, patients: Array(repeating: nil, count: 40))
        let result = try DatasetSplitter.split(data, seed: 0)
        #expect(result.report.train.samples == 28)
        #expect(result.report.validation.samples == 4)
        #expect(result.report.test.samples == 8)
        #expect(result.report.train.perClass == [21, 7])
        #expect(result.report.test.perClass == [6, 2])
    }

    @Test func multiLabelGroupsAreStratifiedByTheirRarestClass() throws {
        // 30 samples positive for the common class 0, 10 of them also for the rare class 2; 10 with none.
        var rows: [[Int]] = []
        for index in 0..<40 { rows.append(index < 30 ? [1, 0, index < 10 ? 1 : 0] : [0, 0, 0]) }
        let data = LabelOnlyDataset(task: .multiLabel, classNames: ["a", "b", "c"], rows: rows, patients: Array(repeating: nil, count: 40))
        let result = try DatasetSplitter.split(data, fractions: SplitFractions(train: 0.6, validation: 0.2, test: 0.2), seed: 5)
        #expect(result.report.train.perClass[2] == 6)
        #expect(result.report.validation.perClass[2] == 2)
        #expect(result.report.test.perClass[2] == 2)
        #expect(result.report.warnings.contains("class 'b' has no samples in the train split"))
    }

    @Test func aMissingClassIsAWarningNotAnError() throws {
        let rows = (0..<10).map { [$0 == 0 ? 1 : 0] }
        let data = LabelOnlyDataset(task: .binary, classNames: ["common", "rare"], rows: rows, patients: Array(repeating: nil, count: 10))
        let report = try DatasetSplitter.split(data, seed: 1).report
        #expect(report.warnings.count == 2)
        #expect(report.description.contains("warning: class 'rare' has no samples"))
    }

    @Test(arguments: [(0.8, 0.0, 0.2, "every fraction must be positive"), (0.7, 0.2, 0.2, "fractions sum to"),
                      (-0.1, 0.6, 0.5, "every fraction must be positive"), (Double.nan, 0.5, 0.5, "every fraction must be positive")])
    func fractionsAreValidated(_ train: Double, _ validation: Double, _ test: Double, _ expected: String) {
        let data = LabelOnlyDataset.grouped(classes: 2, patients: 20, seed: 1)
        let fractions = SplitFractions(train: train, validation: validation, test: test)
        let error = #expect(throws: DataSourceError.self) { try DatasetSplitter.split(data, fractions: fractions, seed: 0) }
        #expect(error?.description.contains(expected) == true, "\(String(describing: error))")
        #expect(error?.location == "split fractions")
    }

    @Test func everySplitGetsAPatientOrTheSplitIsRefused() throws {
        let two = LabelOnlyDataset(task: .binary, classNames: ["x", "y"], rows: [[0], [1], [0]], patients: ["p1", "p2", "p1"])
        let error = #expect(throws: DataSourceError.self) { try DatasetSplitter.split(two, seed: 0) }
        #expect(error?.description.contains("2 patient group(s) cannot fill three splits") == true)
        let three = LabelOnlyDataset(task: .binary, classNames: ["x", "y"], rows: [[0], [1], [0], [1]], patients: ["p1", "p2", "p3", "p1"])
        let splits = try DatasetSplitter.split(three, fractions: SplitFractions(train: 0.98, validation: 0.01, test: 0.01), seed: 0).splits
        #expect(splits.train.count >= 1 && splits.validation.count >= 1 && splits.test.count >= 1)
    }
}

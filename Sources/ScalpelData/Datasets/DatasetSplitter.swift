// Scalpel — ScalpelData
// SPDX-License-Identifier: Apache-2.0
import Foundation
import ScalpelRandom

/// The shares of samples that go to training, validation and test.
public struct SplitFractions: Sendable, Equatable {
    public var train: Double
    public var validation: Double
    public var test: Double

    public init(train: Double, validation: Double, test: Double) {
        self.train = train
        self.validation = validation
        self.test = test
    }

    /// 70 % train, 10 % validation, 20 % test.
    public static let standard = SplitFractions(train: 0.7, validation: 0.1, test: 0.2)

    var values: [Double] { [train, validation, test] }

    /// Checks that every fraction is positive and that they sum to 1.
    ///
    /// - Throws: ``DataSourceError`` naming `source` (the data, or the option that gave the fractions).
    public func validate(source: String) throws {
        let given = "train \(train), validation \(validation), test \(test)"
        guard values.allSatisfy({ $0.isFinite && $0 > 0 }) else {
            throw DataSourceError(file: source, location: "split fractions", problem: "every fraction must be positive (\(given))",
                                  fix: "give train, validation and test each a share above 0, e.g. 0.7, 0.1, 0.2")
        }
        guard abs(values.reduce(0, +) - 1) < 1e-6 else {
            throw DataSourceError(file: source, location: "split fractions",
                                  problem: "fractions sum to \(values.reduce(0, +)), not 1 (\(given))", fix: "make them add up to 1")
        }
    }
}

/// How many samples of each class a split got.
public struct SplitCounts: Sendable, Equatable {
    /// Samples in the split.
    public var samples: Int
    /// Samples per class (multi-label: positives per class).
    public var perClass: [Int]
}

/// What a split produced: counts per split and class, and warnings (a class with no samples in a split).
public struct SplitReport: Sendable, Equatable, CustomStringConvertible {
    public var classNames: [String]
    public var train: SplitCounts
    public var validation: SplitCounts
    public var test: SplitCounts
    /// One line per class missing from a split; the split is still made.
    public var warnings: [String]

    /// Counts the samples of `splits`.
    public init(splits: DatasetSplits) {
        classNames = splits.train.classNames
        let named = [("train", splits.train), ("validation", splits.validation), ("test", splits.test)]
        let counts = named.map { SplitCounts(samples: $0.1.count, perClass: $0.1.classCounts) }
        train = counts[0]
        validation = counts[1]
        test = counts[2]
        var warnings: [String] = []
        for ((name, _), count) in zip(named, counts) {
            for (index, className) in classNames.enumerated() where index < count.perClass.count && count.perClass[index] == 0 {
                warnings.append("class '\(className)' has no samples in the \(name) split")
            }
        }
        self.warnings = warnings
    }

    public var description: String {
        let rows = [("train", train), ("validation", validation), ("test", test)].map { name, counts in
            "\(name): \(counts.samples) samples (" + zip(classNames, counts.perClass).map { "\($0) \($1)" }.joined(separator: ", ") + ")"
        }
        return (rows + warnings.map { "warning: " + $0 }).joined(separator: "\n")
    }
}

/// Splits made by ``DatasetSplitter`` (or a manifest's split column) and their report.
public struct SplitResult: Sendable {
    public var splits: DatasetSplits
    public var report: SplitReport
}

/// Patient-grouped, stratified train/validation/test splits from a seed.
///
/// Samples of one patient form a group (a sample without a patient ID is a group of its own) and a
/// group never straddles two splits. Groups are stratified by label: single-label groups by their most
/// common class, multi-label groups by their rarest positive class (over the whole dataset) or "none".
/// Within each stratum the groups are shuffled with ``SplitMix64`` seeded by `seed` and dealt, one by
/// one, to the split furthest below its share of samples (that stratum's and the overall shortfall
/// together), so every class's shares come within about one group of the fractions. The same seed
/// gives the same split.
public enum DatasetSplitter {
    /// Splits `dataset`.
    ///
    /// - Throws: ``DataSourceError`` for fractions that are not positive or do not sum to 1, or a dataset
    ///   with fewer than three groups (patients or samples), so a split would be empty.
    public static func split(_ dataset: any ImageDataset, fractions: SplitFractions = .standard, seed: UInt64) throws -> SplitResult {
        try fractions.validate(source: dataset.source)
        let shares = fractions.values
        let groups = groups(of: dataset)
        guard groups.count >= 3 else {
            throw DataSourceError(file: dataset.source, location: "split",
                                  problem: "\(dataset.count) samples in \(groups.count) patient group(s) cannot fill three splits",
                                  fix: "each of train, validation and test needs at least one patient; add data or give explicit splits")
        }
        let overall = dataset.task == .multiLabel ? dataset.classCounts : []
        let strata = Dictionary(grouping: groups.indices) { stratum(of: groups[$0], in: dataset, classCounts: overall) }
        var generator = SplitMix64(seed: seed)
        var assigned = [[Int]](repeating: [], count: 3)  // group indices per split
        var total = [Int](repeating: 0, count: 3)
        var dealt = 0
        for key in strata.keys.sorted() {
            var members = strata[key] ?? []
            for position in stride(from: members.count - 1, to: 0, by: -1) {
                members.swapAt(position, generator.below(position + 1))
            }
            var local = [Int](repeating: 0, count: 3)
            var localDealt = 0
            for group in members {
                let size = groups[group].count
                let scores = (0..<3).map { split -> Double in
                    let stratumShortfall: Double = shares[split] * Double(localDealt + size) - Double(local[split])
                    let overallShortfall: Double = shares[split] * Double(dealt + size) - Double(total[split])
                    return stratumShortfall + overallShortfall
                }
                let chosen = scores.indices.max { scores[$0] < scores[$1] } ?? 0
                assigned[chosen].append(group)
                local[chosen] += size
                total[chosen] += size
                localDealt += size
                dealt += size
            }
        }
        // Tiny fractions on few groups can leave a split empty: move the smallest group of the split with
        // the most groups there.
        for split in 0..<3 where assigned[split].isEmpty {
            guard let donor = (0..<3).max(by: { assigned[$0].count < assigned[$1].count }),
                  let smallest = assigned[donor].indices.min(by: { groups[assigned[donor][$0]].count < groups[assigned[donor][$1]].count })
            else { continue }
            assigned[split].append(assigned[donor].remove(at: smallest))
        }
        let names = ["train", "validation", "test"]
        let subsets = (0..<3).map { split in
            dataset.subset(assigned[split].flatMap { groups[$0] }.sorted(), source: "\(dataset.source) [\(names[split]) split, seed \(seed)]")
        }
        let splits = DatasetSplits(train: subsets[0], validation: subsets[1], test: subsets[2])
        return SplitResult(splits: splits, report: SplitReport(splits: splits))
    }

    /// Sample indices per patient, in order of first appearance; samples without a patient alone.
    static func groups(of dataset: any ImageDataset) -> [[Int]] {
        var groups: [[Int]] = []
        var byPatient: [String: Int] = [:]
        for index in 0..<dataset.count {
            guard let patient = dataset.patientID(index), !patient.isEmpty else {
                groups.append([index])
                continue
            }
            if let group = byPatient[patient] {
                groups[group].append(index)
            } else {
                byPatient[patient] = groups.count
                groups.append([index])
            }
        }
        return groups
    }

    /// A group's stratum: its most common class (single-label) or its rarest positive class over the
    /// dataset (multi-label; -1 for no positive).
    private static func stratum(of group: [Int], in dataset: any ImageDataset, classCounts overall: [Int]) -> Int {
        var counts: [Int: Int] = [:]
        if dataset.task == .multiLabel {
            var rarest = -1, rarestCount = Int.max
            for index in group {
                for (position, value) in dataset.labels(index).enumerated() where value == 1 && position < overall.count {
                    if overall[position] < rarestCount || (overall[position] == rarestCount && position < rarest) {
                        rarest = position
                        rarestCount = overall[position]
                    }
                }
            }
            return rarest
        }
        for index in group {
            if let label = dataset.labels(index).first { counts[label, default: 0] += 1 }
        }
        return counts.max { $0.value < $1.value || ($0.value == $1.value && $0.key > $1.key) }?.key ?? -1
    }
}

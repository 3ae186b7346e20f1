// Scalpel — ScalpelAttacks
// SPDX-License-Identifier: Apache-2.0
import Foundation
import ScalpelData
import Torch

/// A model a perturbation is carried over to: its classifier, its held-out images `[N, C, H, W]` in
/// [0, 1] and their clean predictions (computed once).
public struct TransferTarget {
    public let name: String
    public let classifier: PixelClassifier
    public let images: Tensor
    public let cleanPredictions: [Int]

    public init(name: String, classifier: PixelClassifier, images: Tensor, cleanPredictions: [Int]? = nil) throws {
        guard images.rank == 4, images.shape[0] > 0, images.shape[1] == classifier.channels else {
            throw AttackError("\(name): held-out images must be [N > 0, \(classifier.channels), H, W], got \(images.shape)")
        }
        self.name = name
        self.classifier = classifier
        self.images = images
        self.cleanPredictions = try cleanPredictions ?? classifier.predictions(images)
        guard self.cleanPredictions.count == images.shape[0] else {
            throw AttackError("\(name): \(self.cleanPredictions.count) clean predictions for \(images.shape[0]) images")
        }
    }

    /// `[C, H, W]` of one held-out image: the shape a perturbation must have to apply here.
    public var imageShape: [Int] { Array(images.shape.dropFirst()) }
}

/// How perturbations made on some models fool others: `foolingRates[source][target]` is the share of
/// the target's held-out images whose prediction changes when the source's perturbation is added
/// (clip(x + v, 0, 1), against the target's clean predictions). The diagonal of a square matrix with the
/// same names is each perturbation on its own model.
public struct TransferMatrix: Sendable, Equatable, Codable {
    public var sources: [String]
    public var targets: [String]
    /// Held-out images of each target.
    public var images: [Int]
    public var foolingRates: [[Double]]

    public init(sources: [String], targets: [String], images: [Int], foolingRates: [[Double]]) {
        self.sources = sources
        self.targets = targets
        self.images = images
        self.foolingRates = foolingRates
    }

    /// Applies each perturbation `[C, H, W]` to each target. Every shape is checked before any forward pass.
    public init(perturbations: [(name: String, perturbation: Tensor)], targets: [TransferTarget]) throws {
        guard !perturbations.isEmpty, !targets.isEmpty else { throw AttackError("a transfer matrix needs perturbations and targets") }
        for (name, perturbation) in perturbations {
            for target in targets where target.imageShape != perturbation.shape {
                throw AttackError("the perturbation of \(name) has shape \(perturbation.shape) but \(target.name) takes images \(target.imageShape) (image size and channels must match)")
            }
        }
        var rates: [[Double]] = []
        for (_, perturbation) in perturbations {
            rates.append(try targets.map { target in
                try PerturbationEvaluation(classifier: target.classifier, images: target.images, perturbation: perturbation,
                                           cleanPredictions: target.cleanPredictions).foolingRate
            })
        }
        self.init(sources: perturbations.map(\.name), targets: targets.map(\.name), images: targets.map { $0.images.shape[0] },
                  foolingRates: rates)
    }

    /// `source,TARGET1,TARGET2,…` with one row per source.
    public var csv: String {
        ([(["source"] + targets).map(CSVWriter.field).joined(separator: ",")]
            + zip(sources, foolingRates).map { source, row in
                ([CSVWriter.field(source)] + row.map { String(format: "%.4f", $0) }).joined(separator: ",")
            }).joined(separator: "\n") + "\n"
    }

    /// A Markdown table (rows: the model the perturbation was made on; columns: the model it is applied to).
    public func markdown(title: String) -> String {
        var lines = ["# \(title)", "", "Fooling rate of the perturbation made on the row's model, applied to the column's model (its held-out images, against its clean predictions).", "",
                     "| made on \\ applied to | " + zip(targets, images).map { "\($0) (\($1))" }.joined(separator: " | ") + " |",
                     "|---|" + String(repeating: "---|", count: targets.count)]
        for (source, row) in zip(sources, foolingRates) {
            lines.append("| \(source) | " + row.map { String(format: "%.4f", $0) }.joined(separator: " | ") + " |")
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// Writes `NAME.json`, `NAME.csv` and `NAME.md` into `directory`, each atomically.
    public func write(to directory: URL, name: String, title: String) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        try Data(csv.utf8).write(to: directory.appendingPathComponent(name + ".csv"), options: .atomic)
        try Data(markdown(title: title).utf8).write(to: directory.appendingPathComponent(name + ".md"), options: .atomic)
        try encoder.encode(self).write(to: directory.appendingPathComponent(name + ".json"), options: .atomic)
    }
}

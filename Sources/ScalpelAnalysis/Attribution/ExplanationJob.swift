// Scalpel — ScalpelAnalysis
// SPDX-License-Identifier: Apache-2.0
import Foundation
import ScalpelData
import ScalpelModels
import Torch
import TorchNN

/// What `scalpel explain` computes for a stream of images and writes into a folder of its own:
/// an overlay PNG per image (`overlays/`), a grid of overlays per explained class
/// (`grid-CLASS.png`, at most ``gridLimit`` each), `explanations.csv` (one row per image: class,
/// prediction, deletion and insertion areas, randomisation rank correlation) and `summary.json`
/// (their means). The folder appears complete or not at all: it is written beside its destination
/// and renamed into place.
public struct ExplanationJob {
    public var explainer: GradCAM
    /// The class to explain in every image; nil: each image's predicted class.
    public var targetClass: Int?
    public var classNames: [String]
    /// Channels the network expects; a batch with another count is refused before any gradient.
    public var inputChannels: Int
    /// Deletion/insertion curves, or nil to skip them.
    public var faithfulness: DeletionInsertion?
    /// The same network with its top layers re-initialised (``RandomisationCheck``), or nil to skip the check.
    public var randomised: (any SplitNetwork)?
    public var gridLimit = 64
    /// How the CSV's probability comes from the logits (sigmoid for multi-label runs).
    public var score: DeletionInsertion.Score = .softmax

    public init(explainer: GradCAM, targetClass: Int?, classNames: [String], inputChannels: Int,
                faithfulness: DeletionInsertion?, randomised: (any SplitNetwork)?) throws {
        if let targetClass, !classNames.indices.contains(targetClass) {
            throw AttributionError("class \(targetClass) is out of range: the run has \(classNames.count) classes (0…\(classNames.count - 1): \(classNames.joined(separator: ", ")))")
        }
        self.explainer = explainer
        self.targetClass = targetClass
        self.classNames = classNames
        self.inputChannels = inputChannels
        self.faithfulness = faithfulness
        self.randomised = randomised
    }

    /// One image's row of `explanations.csv` (the correlation is nil where it is undefined: a constant map).
    public struct Record: Codable, Sendable, Equatable {
        public var id: String
        public var explainedClass: String
        public var predictedClass: String
        public var probability: Double
        public var deletionArea: Double?
        public var insertionArea: Double?
        public var randomisationCorrelation: Double?
    }

    /// Explains every batch `nextBatch` gives (images `[N, C, H, W]` on the CPU and their ids) on
    /// `device` and writes the folder `destination`, which must not exist yet. Returns the records.
    public func run(device: Device, destination: URL, nextBatch: () throws -> (images: Tensor, ids: [String])?) throws -> [Record] {
        guard !FileManager.default.fileExists(atPath: destination.path) else {
            throw AttributionError("\(destination.path) exists already; give another --output or remove it")
        }
        let parent = destination.deletingLastPathComponent()
        try FileManager.default.createDirectory(at: parent, withIntermediateDirectories: true)
        let staging = parent.appendingPathComponent(".\(destination.lastPathComponent).partial-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: staging.appendingPathComponent("overlays"), withIntermediateDirectories: true)
        do {
            let records = try explainAll(device: device, staging: staging, nextBatch: nextBatch)
            try FileManager.default.moveItem(at: staging, to: destination)
            return records
        } catch {
            try? FileManager.default.removeItem(at: staging)
            throw error
        }
    }

    private func explainAll(device: Device, staging: URL, nextBatch: () throws -> (images: Tensor, ids: [String])?) throws -> [Record] {
        var records: [Record] = []
        var tiles: [Int: [[UInt8]]] = [:]
        var tileSize: (width: Int, height: Int)?
        while let (cpuImages, ids) = try nextBatch() {
            guard cpuImages.rank == 4, cpuImages.shape[1] == inputChannels else {
                throw AttributionError("images of shape \(cpuImages.shape) given to a network that takes \(inputChannels) channel(s); convert them (or give the run's own data)")
            }
            let images = try cpuImages.to(device: device)
            let classes = targetClass.map { [Int](repeating: $0, count: ids.count) }
            let result = try explainer.explain(images, classes: classes)
            let predicted = try result.logits.argmax(axis: 1).to(device: .cpu).hostArray(of: Int64.self).map { Int($0) }
            let probabilities = try score.probabilities(result.logits).to(device: .cpu).to(dtype: .float64).hostArray(of: Double.self)
            let curves = try faithfulness?.curves(network: explainer.network, images: images, maps: result.maps, classes: result.targetClasses)
            let correlations = try randomised.map { network in
                let other = try GradCAM(network: network, cut: explainer.cut, method: explainer.method)
                return try RandomisationCheck.rankCorrelations(result.maps, other.explain(images, classes: result.targetClasses).maps)
            }
            let classCount = result.logits.shape[1]
            for (index, id) in ids.enumerated() {
                let target = result.targetClasses[index]
                let overlay = try CAMOverlay.rgb(image: cpuImages.select(axis: 0, index: index),
                                                 map: result.maps.select(axis: 0, index: index))
                let (height, width) = (cpuImages.shape[2], cpuImages.shape[3])
                let png = try PNGEncoder.encode(overlay, width: width, height: height, channels: 3)
                try png.write(to: staging.appendingPathComponent("overlays/\(Self.fileName(records.count, id, classNames[target])).png"))
                if tileSize == nil || (tileSize!.width == width && tileSize!.height == height), tiles[target, default: []].count < gridLimit {
                    tileSize = (width, height)
                    tiles[target, default: []].append(overlay)
                }
                records.append(Record(id: id, explainedClass: classNames[target], predictedClass: classNames[predicted[index]],
                                      probability: probabilities[index * classCount + target],
                                      deletionArea: curves?[index].deletionArea, insertionArea: curves?[index].insertionArea,
                                      randomisationCorrelation: correlations.flatMap { $0[index].isNaN ? nil : $0[index] }))
            }
        }
        guard !records.isEmpty else { throw AttributionError("no images to explain") }
        if let tileSize {
            for (target, classTiles) in tiles {
                let grid = try CAMOverlay.grid(classTiles, tileWidth: tileSize.width, tileHeight: tileSize.height, columns: 8)
                try PNGEncoder.encode(grid.pixels, width: grid.width, height: grid.height, channels: 3)
                    .write(to: staging.appendingPathComponent("grid-\(Self.safe(classNames[target])).png"))
            }
        }
        try Data(csv(records).utf8).write(to: staging.appendingPathComponent("explanations.csv"))
        try summary(records).write(to: staging.appendingPathComponent("summary.json"))
        return records
    }

    func csv(_ records: [Record]) -> String {
        func number(_ value: Double?) -> String { value.map { String(format: "%.6f", $0) } ?? "" }
        func quoted(_ text: String) -> String {
            text.contains(",") || text.contains("\"") || text.contains("\n") ? "\"" + text.replacingOccurrences(of: "\"", with: "\"\"") + "\"" : text
        }
        var lines = ["id,explained_class,predicted_class,probability,deletion_auc,insertion_auc,randomisation_spearman"]
        for record in records {
            lines.append([quoted(record.id), quoted(record.explainedClass), quoted(record.predictedClass), number(record.probability),
                          number(record.deletionArea), number(record.insertionArea), number(record.randomisationCorrelation)]
                .joined(separator: ","))
        }
        return lines.joined(separator: "\n") + "\n"
    }

    func summary(_ records: [Record]) throws -> Data {
        func mean(_ values: [Double?]) -> Double? {
            let present = values.compactMap { $0 }
            return present.isEmpty ? nil : present.reduce(0, +) / Double(present.count)
        }
        var object: [String: Any] = [
            "method": explainer.method.rawValue, "cut": explainer.cut.name, "architecture": explainer.network.architecture.rawValue,
            "images": records.count, "explained": targetClass.map { classNames[$0] } ?? "predicted",
        ]
        object["mean_deletion_auc"] = mean(records.map(\.deletionArea))
        object["mean_insertion_auc"] = mean(records.map(\.insertionArea))
        object["mean_randomisation_spearman"] = mean(records.map(\.randomisationCorrelation))
        return try JSONSerialization.data(withJSONObject: object, options: [.prettyPrinted, .sortedKeys])
    }

    static func fileName(_ index: Int, _ id: String, _ className: String) -> String {
        String(format: "%05d", index) + "-" + safe(URL(fileURLWithPath: id).deletingPathExtension().lastPathComponent) + "-" + safe(className)
    }

    static func safe(_ text: String) -> String {
        String(String(text.map { $0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" ? $0 : "_" }).prefix(60))
    }
}

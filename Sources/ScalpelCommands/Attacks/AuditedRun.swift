// Scalpel — ScalpelCommands
// SPDX-License-Identifier: Apache-2.0
import Foundation
import ScalpelAttacks
import ScalpelData
import ScalpelExperiments
import ScalpelTraining
import Torch

/// A finished training run opened for an attack: its model seen from pixel space (the run's
/// normalisation inside), its data splits at the model's size, and its class names.
struct AuditedRun {
    let folder: RunFolder
    let classifier: PixelClassifier
    let classNames: [String]
    let architecture: String
    let size: Int
    let channels: Int
    let splits: DatasetSplits

    /// Opens the run through ScalpelExperiments' ``FinishedRun`` (an unfinished run is an error there).
    init(_ path: String, weights: RunFolder.Weights, device: Device) throws {
        let run = try FinishedRun(path: path)
        folder = run.folder
        classNames = run.card.classNames
        architecture = run.card.architecture
        size = run.card.imageSize
        channels = run.card.inputChannels
        guard let normalize = (try run.evaluationTransform as? Compose)?.transforms.last as? Normalize else {
            throw CommandError("\(path): the run's evaluation transform does not end with a normalisation")
        }
        classifier = try PixelClassifier(network: run.network(weights: weights, device: device), mean: normalize.mean,
                                         std: normalize.std, classCount: classNames.count, device: device)
        splits = try run.splits()
    }

    /// A class index from an index or a class name.
    func classIndex(_ text: String) throws -> Int {
        if let index = Int(text), (0..<classNames.count).contains(index) { return index }
        if let index = classNames.firstIndex(of: text) { return index }
        throw CommandError("--target \(text): the model has classes 0...\(classNames.count - 1) (\(classNames.joined(separator: ", ")))")
    }

    /// The training split, or its first `limit` images.
    func trainingImages(limit: Int? = nil) throws -> SourceImages {
        let train = limit.map { splits.train.count > $0 ? splits.train.subset(Array(0..<$0)) : splits.train } ?? splits.train
        return try SourceImages(dataset: train, size: size, channels: channels)
    }

    /// `train` or a folder of images; a folder's unreadable files are named, and one without any
    /// readable image is an error before any work.
    func sourceImages(_ source: String, views: Int, seed: UInt64) throws -> SourceImages {
        if source == "train" { return try SourceImages(dataset: splits.train, size: size, channels: channels, views: views, seed: seed) }
        let list = try ImageFileList(paths: [source], task: .multiClass, classNames: classNames)
        var readable: [URL] = [], skipped: [String] = []
        for file in list.files {
            let head = (try? FileHandle(forReadingFrom: file)).flatMap { handle in
                defer { try? handle.close() }
                return try? handle.read(upToCount: 16)
            }
            if let head, ImageDecoder.format(of: [UInt8](head)) != nil { readable.append(file) } else { skipped.append(file.lastPathComponent) }
        }
        guard !readable.isEmpty else {
            throw CommandError("--source \(source): no readable image among \(list.files.count) file(s) (skipped: \(skipped.prefix(5).joined(separator: ", ")))")
        }
        if !skipped.isEmpty { print("--source: skipping \(skipped.count) unreadable file(s): \(skipped.prefix(10).joined(separator: ", "))") }
        let files = try ImageFileList(paths: readable.map(\.path), task: .multiClass, classNames: classNames)
        return try SourceImages(dataset: files, size: size, channels: channels, views: views, seed: seed)
    }

    /// The test split's first `limit` images `[N, C, size, size]` in [0, 1] and their labels.
    func heldout(limit: Int) throws -> (images: Tensor, labels: [Int]?) {
        let test = splits.test.count > limit ? splits.test.subset(Array(0..<limit)) : splits.test
        guard test.count > 0 else { throw CommandError("the run's test split is empty: nothing to score the perturbation on") }
        let images = try SourceImages(dataset: test, size: size, channels: channels)
        guard let pixels = try images.chunk(0..<test.count) else {
            throw CommandError("no test image of \(test.source) could be read")
        }
        let labels = test.task == .multiLabel || images.skipped.count > 0 ? nil : (0..<test.count).map { test.labels($0)[0] }
        return (try pixels.to(device: classifier.device), labels)
    }
}

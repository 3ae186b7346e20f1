// Scalpel — ScalpelExperiments
// SPDX-License-Identifier: Apache-2.0
import Foundation
import ScalpelData
import ScalpelTraining

/// What a trained model needs to be used again, beside its specification: written to `model.json`
/// in the run folder.
public struct ModelCard: Codable, Equatable, Sendable {
    public var architecture: String
    public var task: ClassificationTask
    public var classNames: [String]
    /// 1 (grey) or 3 (RGB): the channels the network takes.
    public var inputChannels: Int
    /// The side of the square images the network takes.
    public var imageSize: Int

    public init(architecture: String, task: ClassificationTask, classNames: [String], inputChannels: Int, imageSize: Int) {
        self.architecture = architecture
        self.task = task
        self.classNames = classNames
        self.inputChannels = inputChannels
        self.imageSize = imageSize
    }

    public static func url(in folder: URL) -> URL { folder.appendingPathComponent("model.json") }

    /// Reads `folder/model.json`.
    public static func read(from folder: URL) throws -> ModelCard {
        let url = url(in: folder)
        let card: ModelCard
        do {
            // A model description is a few hundred bytes; a tampered one must not make predict use gigabytes.
            let size = (try? FileManager.default.attributesOfItem(atPath: url.path)[.size] as? Int) ?? 0
            guard size <= 16 << 20 else {
                throw ExperimentError("\(url.path): is \(size) bytes, not a model description (at most 16 MiB); the file is damaged")
            }
            card = try JSONDecoder().decode(ModelCard.self, from: Data(contentsOf: url))
        } catch let error as ExperimentError {
            throw error
        } catch {
            throw ExperimentError("\(url.path): cannot read the run's model description (\(error.localizedDescription)); is \(folder.path) the folder of a `scalpel train` run that completed an epoch?")
        }
        guard !card.classNames.isEmpty, card.classNames.count <= 100_000, [1, 3].contains(card.inputChannels),
              (1...4096).contains(card.imageSize) else {
            throw ExperimentError("\(url.path): implausible model description (classes \(card.classNames.count), channels \(card.inputChannels), size \(card.imageSize)); the file was changed by hand or is damaged")
        }
        return card
    }

    public func write(to folder: URL) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        try RunFolder.writeAtomically(try encoder.encode(self), to: Self.url(in: folder))
    }
}

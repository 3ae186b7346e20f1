// Scalpel — ScalpelData
// SPDX-License-Identifier: Apache-2.0
import ScalpelRandom

/// What a worker made of one sample.
enum SampleOutcome: Sendable {
    /// The transformed image.
    case image(ImageSample)
    /// The image could not be read or decoded; ``BadImagePolicy`` decides.
    case unreadable(String)
    /// Any other problem (a transform that cannot handle the image): always an error.
    case failed(String)
}

/// Everything a worker needs to load samples of one epoch: immutable, shared by all workers.
struct SampleWork: Sendable {
    let dataset: any ImageDataset
    let transform: any Transform
    let onBadImage: BadImagePolicy
    let seed: UInt64
    let epoch: Int

    /// Decodes and transforms dataset sample `index` with its own generator.
    func load(_ index: Int) -> SampleOutcome {
        let sample: ImageSample
        do {
            sample = try ImageSample(dataset.image(index))
        } catch {
            return .unreadable("\(error)")
        }
        var generator = SplitMix64(seed: LoaderSeeds.sampleSeed(seed: seed, epoch: epoch, index: index))
        do {
            return .image(try transform(sample, using: &generator))
        } catch {
            return .failed("sample \(dataset.sampleID(index)) of \(dataset.source): the transform failed: \(error)")
        }
    }

    /// Puts the outcomes of dataset samples `indices` (in batch order) into one host batch, checking
    /// labels and that every image has the first one's shape.
    func assemble(indices: [Int], outcomes: [SampleOutcome], carriedSkips: [SkippedImage] = []) -> Result<HostBatch, DataLoaderError> {
        var batch = HostBatch(imageShape: [], pixels: [], labels: [], indices: [], sampleIDs: [], skipped: carriedSkips)
        var firstID = ""
        for (index, outcome) in zip(indices, outcomes) {
            let id = dataset.sampleID(index)
            switch outcome {
            case .failed(let message):
                return .failure(DataLoaderError(message))
            case .unreadable(let reason):
                guard onBadImage == .skip else {
                    return .failure(DataLoaderError("sample \(id) of \(dataset.source) cannot be read: \(reason) "
                        + "(fix or remove the file, or pass --on-bad-image skip to leave bad images out and go on)"))
                }
                batch.skipped.append(SkippedImage(index: index, sampleID: id, reason: reason))
            case .image(let image):
                let shape = [image.channels, image.height, image.width]
                if batch.indices.isEmpty {
                    batch.imageShape = shape
                    firstID = id
                    batch.pixels.reserveCapacity(shape.reduce(1, *) * indices.count)
                } else if shape != batch.imageShape {
                    return .failure(DataLoaderError(Self.shapeMessage(id: id, found: shape, expected: batch.imageShape, firstID: firstID)))
                }
                let labels = dataset.labels(index)
                if let problem = labelProblem(labels) {
                    return .failure(DataLoaderError("sample \(id) of \(dataset.source): labels \(labels): \(problem)"))
                }
                batch.pixels.append(contentsOf: image.pixels)
                batch.labels.append(labels)
                batch.indices.append(index)
                batch.sampleIDs.append(id)
            }
        }
        return .success(batch)
    }

    static func shapeMessage(id: String, found: [Int], expected: [Int], firstID: String) -> String {
        let fix = found[0] != expected[0]
            ? "add GrayToRGB() to the transform so every image has 3 channels"
            : "add a Resize or CenterCrop (or RandomResizedCrop) to the transform so every image has one size"
        return "sample \(id): transformed image has shape C×H×W \(found.map(String.init).joined(separator: "×")) but the batch's "
            + "first image (\(firstID)) has \(expected.map(String.init).joined(separator: "×")); \(fix)"
    }

    /// Why `labels` do not fit the dataset's task and classes, or nil when they do.
    func labelProblem(_ labels: [Int]) -> String? {
        let classes = dataset.classNames.count
        if dataset.task == .multiLabel {
            guard labels.count == classes else { return "expected one 0/1 per class (\(classes) values) for a multi-label task" }
            guard labels.allSatisfy({ $0 == 0 || $0 == 1 }) else { return "multi-label values must be 0 or 1" }
            return nil
        }
        guard labels.count == 1 else { return "expected one class index for a \(dataset.task.rawValue) task" }
        guard labels[0] >= 0, labels[0] < classes else { return "class index outside 0..<\(classes) (\(classes) class names)" }
        return nil
    }
}

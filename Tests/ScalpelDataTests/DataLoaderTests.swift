// Scalpel — ScalpelDataTests
// SPDX-License-Identifier: Apache-2.0
import Foundation
import Testing
import Torch
import TorchTestSupport
@testable import ScalpelData

/// Counts calls from any thread.
final class CallCounter: @unchecked Sendable {
    private let lock = NSLock()
    private var value = 0
    func increment() { lock.lock(); value += 1; lock.unlock() }
    var count: Int { lock.lock(); defer { lock.unlock() }; return value }
}

/// An in-memory dataset: sample `i` is a `size × size` gray image whose every pixel is `i % 256`,
/// labelled `i % classes`; some samples fail to decode or have another shape.
struct FakeDataset: ImageDataset {
    var count: Int
    var size = 6
    var classes = 3
    var bad: Set<Int> = []
    var oddShaped: Set<Int> = []
    var multiLabel = false
    var delay: TimeInterval = 0
    let calls = CallCounter()

    var source: String { "fake" }
    var task: ClassificationTask { multiLabel ? .multiLabel : .multiClass }
    var classNames: [String] { (0 ..< classes).map { "c\($0)" } }
    func sampleID(_ index: Int) -> String { "fake/\(index)" }
    func labels(_ index: Int) -> [Int] {
        multiLabel ? (0 ..< classes).map { ($0 + index) % 2 } : [index % classes]
    }
    func image(_ index: Int) throws -> DecodedImage {
        calls.increment()
        if delay > 0 { Thread.sleep(forTimeInterval: delay) }
        if bad.contains(index) { throw ImageDecodingError(file: "fake/\(index).png", reason: "truncated PNG") }
        let side = oddShaped.contains(index) ? size + 1 : size
        return DecodedImage(width: side, height: side, channels: 1,
                            samples: .uint8([UInt8](repeating: UInt8(index % 256), count: side * side)))
    }
}

/// Passes images through unchanged.
struct Identity: Transform {
    func callAsFunction(_ sample: ImageSample, using generator: inout some RandomNumberGenerator) throws -> ImageSample { sample }
}

/// Waits up to `seconds` for `condition`.
func eventually(_ seconds: Double = 5, _ condition: () -> Bool) -> Bool {
    let deadline = Date().addingTimeInterval(seconds)
    while Date() < deadline {
        if condition() { return true }
        Thread.sleep(forTimeInterval: 0.005)
    }
    return condition()
}

@Suite struct DataLoaderTests {
    func makeLoader(_ dataset: FakeDataset, transform: any Transform = Identity(), batchSize: Int = 8, shuffle: Bool = true,
                dropLast: Bool = false, seed: UInt64 = 7, workers: Int = 3, prefetch: Int = 2,
                policy: BadImagePolicy = .fail) throws -> DataLoader {
        try DataLoader(dataset: dataset, transform: transform, batchSize: batchSize, shuffle: shuffle, dropLast: dropLast,
                       seed: seed, workers: workers, prefetchBatches: prefetch, onBadImage: policy)
    }

    func all(_ loader: DataLoader, epoch: Int = 0) throws -> [Batch] {
        var iterator = loader.batches(epoch: epoch)
        var batches: [Batch] = []
        while let batch = try iterator.next() { batches.append(batch) }
        return batches
    }

    @Test func everySampleOncePerEpochWithItsImageAndLabels() throws {
        let dataset = FakeDataset(count: 37)
        let loader = try makeLoader(dataset)
        let batches = try all(loader)
        #expect(batches.map(\.count) == [8, 8, 8, 8, 5])
        let indices = batches.flatMap(\.indices)
        #expect(indices.sorted() == Array(0 ..< 37))
        #expect(indices == loader.order(epoch: 0))
        #expect(indices != Array(0 ..< 37))
        for batch in batches {
            #expect(batch.images.shape == [batch.count, 1, 6, 6])
            #expect(batch.targets.dtype == .int64 && batch.targets.shape == [batch.count])
            let pixels = try batch.images.hostArray(of: Float.self)
            let targets = try batch.targets.hostArray(of: Int64.self)
            for (row, index) in batch.indices.enumerated() {
                #expect(pixels[row * 36 ..< (row + 1) * 36].allSatisfy { $0 == Float(index) / 255 })
                #expect(targets[row] == Int64(index % 3))
                #expect(batch.labels[row] == [index % 3])
                #expect(batch.sampleIDs[row] == "fake/\(index)")
            }
            #expect(batch.skipped.isEmpty)
        }
        #expect(dataset.calls.count == 37)
    }

    @Test func dropLastAndDatasetOrder() throws {
        let dropped = try all(try makeLoader(FakeDataset(count: 37), dropLast: true))
        #expect(dropped.map(\.count) == [8, 8, 8, 8])
        #expect(Set(dropped.flatMap(\.indices)).count == 32)
        let ordered = try all(try DataLoader.evaluation(dataset: FakeDataset(count: 11), transform: Identity(), batchSize: 4, workers: 2))
        #expect(ordered.map(\.indices) == [[0, 1, 2, 3], [4, 5, 6, 7], [8, 9, 10]])
    }

    @Test func orderDependsOnSeedAndEpochOnly() throws {
        let first = try makeLoader(FakeDataset(count: 50))
        #expect(first.order(epoch: 0) == first.order(epoch: 0))
        #expect(first.order(epoch: 0) != first.order(epoch: 1))
        #expect(first.order(epoch: 1).sorted() == Array(0 ..< 50))
        #expect(try makeLoader(FakeDataset(count: 50), seed: 8).order(epoch: 0) != first.order(epoch: 0))
        #expect(try all(first, epoch: 1).flatMap(\.indices) == first.order(epoch: 1))
    }

    @Test func resultsAreBitIdenticalForOneAndFourWorkers() throws {
        let transform = Compose([Resize(height: 12, width: 12), RandomResizedCrop(size: 9), RandomHorizontalFlip(),
                                 RandomRotation(degrees: 20), GrayToRGB(), Normalize.imageNet])
        func run(workers: Int, epoch: Int) throws -> ([Int], [Float]) {
            let loader = try makeLoader(FakeDataset(count: 29, size: 10), transform: transform, batchSize: 5,
                                    workers: workers, prefetch: workers == 1 ? 1 : 3)
            let batches = try all(loader, epoch: epoch)
            return (batches.flatMap(\.indices), try batches.flatMap { try $0.images.hostArray(of: Float.self) })
        }
        let one = try run(workers: 1, epoch: 2), four = try run(workers: 4, epoch: 2)
        #expect(one.0 == four.0)
        #expect(one.1.map(\.bitPattern) == four.1.map(\.bitPattern))
        #expect(one.1.count == 29 * 3 * 9 * 9)
        // Another epoch draws other crops.
        #expect(try run(workers: 2, epoch: 3).1 != one.1)
    }

    @Test func skipPolicyLeavesBadImagesOutAndReportsThem() throws {
        let dataset = FakeDataset(count: 10, bad: [2, 3, 7])
        let loader = try makeLoader(dataset, batchSize: 2, shuffle: false, policy: .skip)
        var iterator = loader.batches(epoch: 0)
        var batches: [Batch] = []
        while let batch = try iterator.next() { batches.append(batch) }
        // Batch [2, 3] has no good image: its skips arrive with the next batch.
        #expect(batches.map(\.indices) == [[0, 1], [4, 5], [6], [8, 9]])
        #expect(batches[1].skipped.map(\.sampleID) == ["fake/2", "fake/3"])
        #expect(batches[2].skipped.map(\.index) == [7])
        #expect(batches[2].skipped[0].reason.contains("fake/7.png: truncated PNG"))
        #expect(batches[0].skipped.isEmpty && batches[3].skipped.isEmpty)
        #expect(iterator.skipped.map(\.index) == [2, 3, 7])
        #expect(batches[2].images.shape == [1, 1, 6, 6])
    }

    @Test func failPolicyThrowsNamingTheSampleAndFile() throws {
        let loader = try makeLoader(FakeDataset(count: 10, bad: [5]), batchSize: 4, shuffle: false)
        var iterator = loader.batches(epoch: 0)
        #expect(try iterator.next()?.indices == [0, 1, 2, 3])
        do {
            _ = try iterator.next()
            Issue.record("expected an error for sample 5")
        } catch let error as DataLoaderError {
            #expect(error.description.contains("fake/5"))
            #expect(error.description.contains("fake/5.png: truncated PNG"))
            #expect(error.description.contains("--on-bad-image skip"))
        }
        #expect(try iterator.next() == nil)
    }

    @Test func shapeMismatchNamesSampleShapesAndFix() throws {
        let loader = try makeLoader(FakeDataset(count: 6, oddShaped: [2]), batchSize: 3, shuffle: false)
        do {
            _ = try all(loader)
            Issue.record("expected a shape error")
        } catch let error as DataLoaderError {
            #expect(error.description.contains("fake/2"))
            #expect(error.description.contains("1×7×7"))
            #expect(error.description.contains("1×6×6"))
            #expect(error.description.contains("Resize"))
        }
        // A channel mismatch suggests GrayToRGB.
        struct RGBForEven: Transform {
            func callAsFunction(_ sample: ImageSample, using generator: inout some RandomNumberGenerator) throws -> ImageSample {
                sample.pixels[0] * 255 == 1 ? try GrayToRGB()(sample, using: &generator) : sample
            }
        }
        do {
            _ = try all(try makeLoader(FakeDataset(count: 4), transform: RGBForEven(), batchSize: 4, shuffle: false))
            Issue.record("expected a channel error")
        } catch let error as DataLoaderError {
            #expect(error.description.contains("fake/1") && error.description.contains("GrayToRGB"))
        }
    }

    @Test func multiLabelTargetsAreFloatRows() throws {
        let batches = try all(try makeLoader(FakeDataset(count: 5, classes: 4, multiLabel: true), batchSize: 5, shuffle: false))
        #expect(batches[0].targets.dtype == .float32 && batches[0].targets.shape == [5, 4])
        #expect(try batches[0].targets.hostArray(of: Float.self)[4 ..< 8] == [1, 0, 1, 0])
    }

    @Test func badLabelsAndArgumentsAreClearErrors() throws {
        #expect(throws: DataLoaderError.self) { try makeLoader(FakeDataset(count: 0)) }
        #expect(throws: DataLoaderError.self) { try makeLoader(FakeDataset(count: 3), batchSize: 0) }
        #expect(throws: DataLoaderError.self) { try makeLoader(FakeDataset(count: 3), workers: 0) }
        #expect(throws: DataLoaderError.self) { try makeLoader(FakeDataset(count: 3), prefetch: 0) }
        // Class names fewer than the labels used.
        struct Mislabelled: ImageDataset {
            var base = FakeDataset(count: 4)
            var source: String { "mislabelled" }
            var task: ClassificationTask { .binary }
            var classNames: [String] { ["a", "b"] }
            var count: Int { base.count }
            func sampleID(_ index: Int) -> String { base.sampleID(index) }
            func labels(_ index: Int) -> [Int] { base.labels(index) }
            func image(_ index: Int) throws -> DecodedImage { try base.image(index) }
        }
        do {
            _ = try all(try DataLoader.evaluation(dataset: Mislabelled(), transform: Identity(), batchSize: 4))
            Issue.record("expected a label error")
        } catch let error as DataLoaderError {
            #expect(error.description.contains("fake/2") && error.description.contains("0..<2"))
        }
    }

    @Test func workersStayWithinThePrefetchBound() throws {
        let dataset = FakeDataset(count: 40, delay: 0.001)
        let loader = try makeLoader(dataset, batchSize: 4, workers: 3, prefetch: 2)
        var iterator = loader.batches(epoch: 0)
        #expect(eventually { dataset.calls.count >= 8 })
        Thread.sleep(forTimeInterval: 0.1)
        #expect(dataset.calls.count == 8)
        _ = try iterator.next()
        #expect(eventually { dataset.calls.count >= 12 })
        Thread.sleep(forTimeInterval: 0.1)
        #expect(dataset.calls.count == 12)
        iterator.cancel()
    }

    @Test func droppingTheIteratorStopsTheWorkers() throws {
        let dataset = FakeDataset(count: 400, delay: 0.002)
        let loader = try makeLoader(dataset, batchSize: 4, workers: 4, prefetch: 50)
        let pipeline: LoaderPipeline
        do {
            var iterator = loader.batches(epoch: 0)
            _ = try iterator.next()
            pipeline = iterator.pipeline
            #expect(pipeline.runningWorkers == 4)
        }
        #expect(pipeline.runningWorkers == 0)
        let calls = dataset.calls.count
        #expect(calls < 400)
        Thread.sleep(forTimeInterval: 0.05)
        #expect(dataset.calls.count == calls)
    }

    /// The real BreastMNIST training split of ../shared, when present: every image once, as the file has it.
    @Test func loadsARealMedMNISTSplit() throws {
        guard let file = sharedDirectory()?.appendingPathComponent("data/medmnist/breastmnist.npz"),
              FileManager.default.fileExists(atPath: file.path) else {
            print("NOTICE: ../shared/data/medmnist/breastmnist.npz is absent; the real-data loader test is skipped")
            return
        }
        let dataset = try MedMNISTDataset(contentsOf: file, split: .train)
        let loader = try DataLoader(dataset: dataset, transform: Compose([GrayToRGB()]), batchSize: 100, shuffle: true,
                                    seed: 3, workers: 2, prefetchBatches: 2)
        let batches = try all(loader)
        #expect(batches.flatMap(\.indices).sorted() == Array(0 ..< dataset.count))
        let batch = try #require(batches.last)
        #expect(batch.images.shape == [batch.count, 3, 28, 28])
        let pixels = try batch.images.hostArray(of: Float.self), targets = try batch.targets.hostArray(of: Int64.self)
        for (row, index) in batch.indices.enumerated() {
            #expect(targets[row] == Int64(dataset.label(index).first ?? -1))
            let image = dataset.pixels[index * 784 ..< (index + 1) * 784].map { Float($0) / 255 }
            #expect(Array(pixels[(row * 3 + 2) * 784 ..< (row * 3 + 3) * 784]) == image)
        }
    }
}

// Scalpel — benchmark: the data loader case (`loader-medmnist-SIZE-bBATCH`).
// SPDX-License-Identifier: Apache-2.0
import Foundation
import ScalpelData

/// `../shared/data/medmnist/pneumoniamnist.npz` beside the repository (found from the working
/// directory upwards by its Package.swift), or an error saying where it was looked for.
func pneumoniaMNISTFile() throws -> URL {
    var directory = URL(fileURLWithPath: FileManager.default.currentDirectoryPath)
    while directory.path != "/", !FileManager.default.fileExists(atPath: directory.appendingPathComponent("Package.swift").path) {
        directory.deleteLastPathComponent()
    }
    let file = directory.deletingLastPathComponent().appendingPathComponent("shared/data/medmnist/pneumoniamnist.npz")
    guard FileManager.default.fileExists(atPath: file.path) else {
        throw BenchError("the loader benchmark needs PneumoniaMNIST at \(file.path) (../shared/data/medmnist beside the "
                         + "repository); run scalpel-bench from the repository root with ../shared present")
    }
    return file
}

/// Images per second through a ``DataLoader`` over PneumoniaMNIST's training split with the usual
/// ImageNet-style augmentation at `size`: GrayToRGB, Resize(size), RandomResizedCrop(size), horizontal
/// flip, Normalize. Throughput over `steps` batches after `warmup` batches (which absorb the start-up).
func loaderImagesPerSecond(_ options: Options) throws -> Double {
    let c = options.benchCase
    guard c.subject == "medmnist" else { throw BenchError("loader cases know one data set, 'medmnist'; got '\(c.subject)'") }
    let dataset = try MedMNISTDataset(contentsOf: try pneumoniaMNISTFile(), split: .train)
    let transform = Compose([GrayToRGB(), Resize(shorterSide: c.size), RandomResizedCrop(size: c.size),
                             RandomHorizontalFlip(), Normalize.imageNet])
    let loader = try DataLoader(dataset: dataset, transform: transform, batchSize: c.batch, shuffle: true, dropLast: true,
                                seed: 0, workers: options.workers, prefetchBatches: options.prefetch)
    guard loader.batchCount >= options.warmup + options.steps else {
        throw BenchError("\(options.warmup + options.steps) batches asked for but the epoch has \(loader.batchCount)")
    }
    var batches = loader.batches(epoch: 0)
    for _ in 0 ..< options.warmup { _ = try batches.next() }
    let start = DispatchTime.now().uptimeNanoseconds
    var images = 0
    for _ in 0 ..< options.steps {
        guard let batch = try batches.next() else { break }
        images += batch.count
    }
    let seconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
    batches.cancel()
    return Double(images) / seconds
}

// Scalpel — benchmark: the Swift side of bench/run (see bench/README.md).
// SPDX-License-Identifier: Apache-2.0
import Foundation
import ScalpelData
import ScalpelModels
import Torch
import TorchNN
import TorchOptim

/// A case name reads `KIND-ARCHITECTURE-SIZE-bBATCH`, e.g. `train-resnet18-224-b32`, `infer-resnet50-224-b32`,
/// `latency-efficientnet_lite0-224-b1`, or `loader-medmnist-224-b32` (the data loader, see Loader.swift);
/// bench/pytorch_bench.py parses the same names.
struct BenchCase {
    enum Kind: String { case train, infer, latency, grad, loader, probe, recompute, similarity, index, gradcam, bf16train, bf16infer, dp2 }
    var kind: Kind
    /// The model's architecture, or for `loader` cases the data set's name.
    var subject: String
    var size: Int
    var batch: Int

    init(_ name: String) throws {
        let parts = name.split(separator: "-").map(String.init)
        guard parts.count >= 4, let kind = Kind(rawValue: parts[0]), let size = Int(parts[parts.count - 2]),
              let last = parts.last, last.hasPrefix("b"), let batch = Int(last.dropFirst())
        else { throw BenchError("case '\(name)' is not KIND-SUBJECT-SIZE-bBATCH with KIND train, infer, latency, grad, loader, probe, recompute, similarity, index or gradcam") }
        self.kind = kind
        subject = parts[1 ..< parts.count - 2].joined(separator: "-")
        self.size = size
        self.batch = batch
    }

    /// The model to run (not for `loader` cases).
    func architecture() throws -> Architecture { try Architecture(named: subject) }
}

struct BenchError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}

struct Options {
    var benchCase: BenchCase
    var steps = 5
    var warmup = 2
    var threads = 2
    var channelsLast = true
    var workers = 2
    var prefetch = 4

    init(_ arguments: [String]) throws {
        var name: String?
        var iterator = arguments.makeIterator()
        while let argument = iterator.next() {
            switch argument {
            case "--steps": steps = Int(iterator.next() ?? "") ?? steps
            case "--warmup": warmup = Int(iterator.next() ?? "") ?? warmup
            case "--threads": threads = Int(iterator.next() ?? "") ?? threads
            case "--layout": channelsLast = iterator.next() != "contiguous"
            case "--workers": workers = Int(iterator.next() ?? "") ?? workers
            case "--prefetch": prefetch = Int(iterator.next() ?? "") ?? prefetch
            case "--no-fuse": InferenceFusion.isEnabled = false
            default: name = argument
            }
        }
        guard let name else { throw BenchError("usage: scalpel-bench CASE [--steps N] [--warmup N] [--threads N] [--layout contiguous|channels-last] [--workers N] [--prefetch N] [--no-fuse]") }
        benchCase = try BenchCase(name)
    }
}

/// Converts every 4-D parameter and buffer to channels-last memory order in place.
func useChannelsLast(_ module: any Module) throws {
    for (_, tensor) in module.namedTensors() where tensor.rank == 4 {
        try tensor.setData(tensor.contiguous(.channelsLast))
    }
}

/// Seconds per step: the median over `steps` after `warmup` unmeasured steps.
func medianSeconds(steps: Int, warmup: Int, _ step: () throws -> Void) rethrows -> Double {
    var times: [Double] = []
    for index in 0 ..< warmup + steps {
        let start = DispatchTime.now().uptimeNanoseconds
        try step()
        if index >= warmup { times.append(Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9) }
    }
    return times.sorted()[times.count / 2]
}

/// Images per second for the case.
func imagesPerSecond(_ options: Options) throws -> Double {
    let c = options.benchCase
    try TorchRuntime.configure(seed: 0, threads: options.threads)
    if c.kind == .loader { return try loaderImagesPerSecond(options) }
    if c.kind == .index { return try indexQueriesPerSecond(options) }
    if c.kind == .probe || c.kind == .recompute { return try probeImagesPerSecond(options, cached: c.kind == .probe) }
    if c.kind == .similarity { return try similarityDatapointsPerSecond(options) }
    if c.kind == .gradcam { return try gradCAMImagesPerSecond(options) }   // GradCAMBench.swift
    if c.kind == .bf16train { return try bf16TrainImagesPerSecond(options) }
    if c.kind == .bf16infer { return try bf16InferenceImagesPerSecond(options) }
    if c.kind == .dp2 { return try dataParallelImagesPerSecond(options) }
    let model = try c.architecture().makeModel(classCount: c.kind == .train ? 10 : 1000)
    var images = try Tensor.randn([c.batch, 3, c.size, c.size])
    if options.channelsLast {
        try useChannelsLast(model)
        images = try images.channelsLast()
    }
    let seconds: Double
    switch c.kind {
    case .train:
        model.setMode(.training)
        let labels = try Tensor.randint(high: 10, shape: [c.batch])
        let optimizer = try Adam([ParameterGroup(parameters: model.parameters())], learningRate: 1e-3)
        seconds = try medianSeconds(steps: options.steps, warmup: options.warmup) {
            try optimizer.zeroGradients()
            try crossEntropy(logits: model(images), targets: labels).backward()
            try optimizer.step()
        }
    case .grad:
        seconds = try inputGradientSeconds(model, images: images, classes: 1000, options: options)
    case .loader, .probe, .recompute, .similarity, .index, .gradcam, .bf16train, .bf16infer, .dp2:
        throw BenchError("unreachable: loader, probe, similarity, index, gradcam, bf16train and dp2 cases return above")
    case .infer, .latency:
        model.setMode(.evaluation)
        seconds = try withNoGrad {
            try medianSeconds(steps: options.steps, warmup: options.warmup) { _ = try model(images) }
        }
    }
    return Double(c.batch) / seconds
}

if let name = CommandLine.arguments.dropFirst().first, name.hasPrefix("uap") { exit(UAPBench.main(name)) }

do {
    let options = try Options(Array(CommandLine.arguments.dropFirst()))
    let rate = try imagesPerSecond(options)
    let layout = options.channelsLast && ![.loader, .similarity].contains(options.benchCase.kind) ? "channels-last" : "contiguous"
    print("{\"images_per_second\": \(rate), \"layout\": \"\(layout)\", \"torch\": \"\(TorchRuntime.version)\", "
          + "\"threads\": \(TorchRuntime.threadCount), \"fused\": \(InferenceFusion.isEnabled), "
          + "\"peak_rss_mib\": \(peakResidentMiB())}")
} catch {
    FileHandle.standardError.write(Data("scalpel-bench: \(error)\n".utf8))
    exit(1)
}

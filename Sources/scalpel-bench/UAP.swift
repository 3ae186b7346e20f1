// Scalpel — scalpel-bench
// SPDX-License-Identifier: Apache-2.0
import Foundation
import ScalpelAttacks
import ScalpelModels
import Torch

/// `uap-ARCH-SIZE-bN`: one pass of the sequential UAP search (FGSM inner step 0.01, L2 radius 1) over N
/// images, plus the fooling-rate evaluation, as ART's `UniversalPerturbation(attacker="fgsm", max_iter=1)`
/// does it (bench/uap_bench.py) — on a model the perturbation actually fools. Both sides read the same
/// weights, images and visiting order from `.build/bench-inputs/uap-ARCH-SIZE-bN.safetensors`, written by
/// the Python side's first run (bench/run runs it first in every round), so they do identical work.
///
/// `uapbatch-ARCH-SIZE-bN`: time to the same fooling rate with the batched variant (one forward/backward
/// per 32 images, a different algorithm; see `BatchedUniversalPerturbation`): an untimed sequential pass
/// gives the fooling rate to reach, then batched passes run until they reach it. Images per second are
/// N / that time, against ART's sequential pass on the Python side.
enum UAPBench {
    static let radius = 1.0, fgsmStep = 0.01, classes = 10

    /// Runs the case named `name` with `--threads N` and `--steps N` (rounds; the best counts) from the
    /// command line; prints the JSON line bench/run reads and returns the exit status.
    static func main(_ name: String) -> Int32 {
        let arguments = Array(CommandLine.arguments.dropFirst(2))
        func value(_ flag: String) -> Int? { arguments.firstIndex(of: flag).flatMap { Int(arguments[safe: $0 + 1] ?? "") } }
        do {
            let rate = try imagesPerSecond(case: name, threads: value("--threads") ?? 2, rounds: value("--steps") ?? 1)
            print("{\"images_per_second\": \(rate), \"torch\": \"\(TorchRuntime.version)\", \"threads\": \(TorchRuntime.threadCount)}")
            return 0
        } catch {
            FileHandle.standardError.write(Data("scalpel-bench: \(error)\n".utf8))
            return 1
        }
    }

    static func imagesPerSecond(case name: String, threads: Int, rounds: Int) throws -> Double {
        let parts = name.split(separator: "-").map(String.init)
        guard parts.count >= 4, ["uap", "uapbatch"].contains(parts[0]), let size = Int(parts[parts.count - 2]),
              parts.last!.hasPrefix("b"), let count = Int(parts.last!.dropFirst()) else {
            throw BenchError("case '\(name)' is not uap-ARCH-SIZE-bN or uapbatch-ARCH-SIZE-bN")
        }
        try TorchRuntime.configure(seed: 0, threads: threads)
        let architecture = parts[1 ..< parts.count - 2].joined(separator: "-")
        let file = URL(fileURLWithPath: ".build/bench-inputs/uap-\(architecture)-\(size)-b\(count).safetensors")
        guard FileManager.default.fileExists(atPath: file.path) else {
            throw BenchError("\(file.path) is missing: run `.deps/python/bin/python bench/uap_bench.py \(name)` first (bench/run does)")
        }
        let stored = try WeightFile.read(contentsOf: file)
        let model = try Architecture(named: architecture).makeModel(classCount: classes)
        try model.load(try StateDict(stored.entries.filter { $0.key.hasPrefix("network.") }
            .map { (String($0.key.dropFirst("network.".count)), $0.tensor) }))
        model.setMode(.evaluation)
        let classifier = try PixelClassifier(network: model, mean: [0.485, 0.456, 0.406], std: [0.229, 0.224, 0.225],
                                             classCount: classes, batchSize: 32)
        guard let images = stored["images"], images.shape == [count, 3, size, size], let orderTensor = stored["order"] else {
            throw BenchError("\(file.path) holds no images [\(count), 3, \(size), \(size)] and order; delete it to have it written again")
        }
        let order = try orderTensor.hostArray(of: Int64.self).map { Int($0) }
        let settings = try UniversalPerturbationSettings(norm: .l2, radius: radius, fgsmEpsilon: fgsmStep, passes: 1)
        func sequential() throws -> (seconds: Double, outcome: ChunkOutcome) {
            let search = try UniversalPerturbationSearch(classifier: classifier, settings: settings, imageShape: [3, size, size])
            let start = DispatchTime.now().uptimeNanoseconds
            let outcome = try search.process(chunk: images) { _ in order }
            return (Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9, outcome)
        }
        var best = Double.infinity
        if parts[0] == "uap" {
            for _ in 0..<max(1, rounds) {
                let (seconds, outcome) = try sequential()
                best = min(best, seconds)
                FileHandle.standardError.write(Data("  uap: \(outcome.updates) updates, fooling rate \(outcome.foolingRate)\n".utf8))
            }
            return Double(count) / best
        }
        let (sequentialSeconds, reference) = try sequential()
        for _ in 0..<max(1, rounds) {
            let batched = try BatchedUniversalPerturbation(classifier: classifier, settings: settings, imageShape: [3, size, size],
                                                           batchSize: 32)
            var passes = 0, outcome: ChunkOutcome?
            let start = DispatchTime.now().uptimeNanoseconds
            while passes < 100, (outcome?.foolingRate ?? -1) < reference.foolingRate {
                let shift = passes * 17 % count
                outcome = try batched.process(chunk: images) { _ in Array(order[shift...] + order[..<shift]) }
                passes += 1
            }
            let seconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
            guard let outcome, outcome.foolingRate >= reference.foolingRate else {
                throw BenchError("the batched variant did not reach the sequential fooling rate \(reference.foolingRate) in 100 passes")
            }
            best = min(best, seconds)
            FileHandle.standardError.write(Data("  uapbatch: fooling rate \(outcome.foolingRate) after \(passes) pass(es) in \(String(format: "%.2f", seconds)) s; sequential \(reference.foolingRate) in \(String(format: "%.2f", sequentialSeconds)) s (\(String(format: "%.1f", sequentialSeconds / seconds))× slower)\n".utf8))
        }
        return Double(count) / best
    }
}

extension Array {
    subscript(safe index: Int) -> Element? { indices.contains(index) ? self[index] : nil }
}

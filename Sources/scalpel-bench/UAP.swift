// Scalpel — scalpel-bench
// SPDX-License-Identifier: Apache-2.0
import Foundation
import ScalpelAttacks
import ScalpelModels
import Torch

/// `uap-ARCH-SIZE-bN`: one pass of the sequential UAP search (FGSM inner step, L2) over N random
/// images on a randomly initialised ARCH in evaluation mode, plus the fooling-rate evaluation, as
/// ART's `UniversalPerturbation(attacker="fgsm", max_iter=1)` does it (bench/uap_bench.py). The FGSM
/// step is tiny (1e-7) so no step flips a label and every image costs the same work on both sides:
/// a test forward, the FGSM forward and backward, and the candidate's forward.
/// `uapbatch-ARCH-SIZE-bN` is the batched variant: one forward/backward for a batch of 32 images,
/// which is a different algorithm (see `BatchedUniversalPerturbation`).
enum UAPBench {
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
        guard parts.count >= 4, let size = Int(parts[parts.count - 2]), parts.last!.hasPrefix("b"),
              let count = Int(parts.last!.dropFirst()) else {
            throw BenchError("case '\(name)' is not uap-ARCH-SIZE-bN")
        }
        try TorchRuntime.configure(seed: 0, threads: threads)
        let model = try Architecture(named: parts[1 ..< parts.count - 2].joined(separator: "-")).makeModel(classCount: 10)
        model.setMode(.evaluation)
        let classifier = try PixelClassifier(network: model, mean: [0.485, 0.456, 0.406], std: [0.229, 0.224, 0.225],
                                             classCount: 10, batchSize: 32)
        let images = try Tensor.rand([count, 3, size, size], generator: Generator(seed: 1))
        let settings = try UniversalPerturbationSettings(norm: .l2, radius: 1, fgsmEpsilon: 1e-7, passes: 1)
        var best = Double.infinity
        for _ in 0..<max(1, rounds) {
            let search = try UniversalPerturbationSearch(classifier: classifier, settings: settings, imageShape: [3, size, size])
            let start = DispatchTime.now().uptimeNanoseconds
            let outcome = try search.process(chunk: images) { _ in Array(0..<count) }
            best = min(best, Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9)
            FileHandle.standardError.write(Data("  uap: \(outcome.updates) updates, fooling rate \(outcome.foolingRate)\n".utf8))
        }
        return Double(count) / best
    }
}

extension Array {
    subscript(safe index: Int) -> Element? { indices.contains(index) ? self[index] : nil }
}

// Scalpel — ScalpelFuzzing
// SPDX-License-Identifier: Apache-2.0
import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// What one fuzzing run saw.
public struct FuzzReport: Sendable, CustomStringConvertible {
    public var target: FuzzTarget
    public var runs = 0
    public var accepted = 0
    public var slowest: Duration = .zero
    /// Inputs that took longer than the time limit (a hang in the making), at most 10 kept.
    public var slowInputs: [[UInt8]] = []
    /// The process's peak resident memory, in MiB, when the run ended.
    public var peakMemoryMiB = 0

    public var description: String {
        let slowest = Double(slowest.components.attoseconds) / 1e15 + Double(slowest.components.seconds) * 1000
        return "\(target.rawValue): \(runs) inputs, \(accepted) accepted, \(runs - accepted) refused with an error, "
            + "slowest \(String(format: "%.1f", slowest)) ms, \(slowInputs.count) over the time limit, peak RSS \(peakMemoryMiB) MiB"
    }
}

/// Runs a ``FuzzTarget`` on its corpus and on mutations of it. A crash ends the process (that is the
/// finding); slow inputs are reported.
public enum FuzzRunner {
    /// The files of `directory/<target>/` (the committed corpus), each at most 1 MiB, in name order.
    public static func corpus(for target: FuzzTarget, in directory: URL) -> [[UInt8]] {
        let folder = directory.appendingPathComponent(target.rawValue)
        let names = ((try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? []).filter { !$0.hasPrefix(".") }.sorted()
        return names.compactMap { name in
            guard let data = try? Data(contentsOf: folder.appendingPathComponent(name)), data.count <= 1 << 20 else { return nil }
            return [UInt8](data)
        }
    }

    /// The corpus folder of a source checkout: `fuzz/corpus` beside `Sources/`, found from this file.
    public static func checkoutCorpus(filePath: String = #filePath) -> URL? {
        var url = URL(fileURLWithPath: filePath)
        for _ in 0 ..< 3 { url.deleteLastPathComponent() }
        let corpus = url.appendingPathComponent("fuzz/corpus")
        return FileManager.default.fileExists(atPath: corpus.path) ? corpus : nil
    }

    /// Runs every corpus input once, then `runs` mutated inputs (at most `maximumInputBytes` each).
    public static func run(_ target: FuzzTarget, corpus: [[UInt8]], runs: Int, seed: UInt64 = 1,
                           maximumInputBytes: Int = 1 << 20, timeLimit: Duration = .seconds(1),
                           progress: ((FuzzReport) -> Void)? = nil) -> FuzzReport {
        var report = FuzzReport(target: target)
        var mutator = Mutator(seed: seed)
        let clock = ContinuousClock()
        let seeds = corpus.isEmpty ? [[UInt8]()] : corpus
        func attempt(_ input: [UInt8]) {
            let start = clock.now
            if target.run(input) { report.accepted += 1 }
            let elapsed = clock.now - start
            report.runs += 1
            report.slowest = max(report.slowest, elapsed)
            if elapsed > timeLimit, report.slowInputs.count < 10 { report.slowInputs.append(input) }
        }
        for input in corpus { attempt(input) }
        for index in 0 ..< runs {
            let base = seeds[mutator.below(seeds.count)]
            let other = seeds[mutator.below(seeds.count)]
            var input = mutator.mutate(base, splicing: other)
            if input.count > maximumInputBytes { input.removeLast(input.count - maximumInputBytes) }
            attempt(input)
            if let progress, (index + 1) % 10_000 == 0 {
                report.peakMemoryMiB = peakMemoryMiB()
                progress(report)
            }
        }
        report.peakMemoryMiB = peakMemoryMiB()
        return report
    }

    /// The process's peak resident memory in MiB.
    public static func peakMemoryMiB() -> Int {
        var usage = rusage()
        getrusage(__rusage_who_t(RUSAGE_SELF.rawValue), &usage)
        return usage.ru_maxrss / 1024
    }
}

// Scalpel — scalpel-fuzz
// SPDX-License-Identifier: Apache-2.0
// Long fuzzing runs of Scalpel's parsers of untrusted input (see docs/security.md):
//   nice -n 10 swift run -j 1 scalpel-fuzz TARGET [RUNS] [SEED]
// TARGET is one of npy npz zip pth safetensors csv yaml images dicom, or "all". Inputs slower than 1 s are
// written to fuzz/slow-TARGET-N.bin. A crash ends the process with the sanitizer's or Swift's report.
import Foundation
import ScalpelFuzzing

let arguments = CommandLine.arguments.dropFirst()
guard let name = arguments.first, name == "all" || FuzzTarget(rawValue: name) != nil else {
    print("usage: scalpel-fuzz TARGET|all [RUNS=100000] [SEED=1]; targets: \(FuzzTarget.allCases.map(\.rawValue).joined(separator: " "))")
    exit(2)
}
let runs = arguments.dropFirst().first.flatMap { Int($0) } ?? 100_000
let seed = arguments.dropFirst(2).first.flatMap { UInt64($0) } ?? 1
guard let corpusFolder = FuzzRunner.checkoutCorpus() else {
    print("fuzz/corpus is missing: run scalpel-fuzz from a source checkout")
    exit(2)
}
let targets = name == "all" ? FuzzTarget.allCases : [FuzzTarget(rawValue: name)!]
var failed = false
for target in targets {
    let corpus = FuzzRunner.corpus(for: target, in: corpusFolder)
    let report = FuzzRunner.run(target, corpus: corpus, runs: runs, seed: seed) { partial in
        FileHandle.standardError.write(Data("  \(partial)\n".utf8))
    }
    print(report)
    for (index, input) in report.slowInputs.enumerated() {
        let url = corpusFolder.deletingLastPathComponent().appendingPathComponent("slow-\(target.rawValue)-\(index).bin")
        try? Data(input).write(to: url)
        failed = true
    }
}
exit(failed ? 1 : 0)

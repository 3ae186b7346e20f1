// Scalpel — ScalpelFuzzingTests
// SPDX-License-Identifier: Apache-2.0
import Foundation
import Testing
@testable import ScalpelFuzzing

/// A short run of every fuzzer on its committed corpus (fuzz/corpus) and mutations of it: no crash, no
/// input over the time limit. The long runs are `scalpel-fuzz TARGET RUNS` (docs/security.md).
@Suite struct FuzzSmokeTests {
    @Test(arguments: FuzzTarget.allCases)
    func shortRunFindsNothing(_ target: FuzzTarget) throws {
        let folder = try #require(FuzzRunner.checkoutCorpus(), "fuzz/corpus is part of the checkout")
        let corpus = FuzzRunner.corpus(for: target, in: folder)
        #expect(corpus.count >= 2, "the \(target) corpus has valid files and hostile shapes")
        let runs = [.images, .dicom, .pth].contains(target) ? 300 : 1000
        let report = FuzzRunner.run(target, corpus: corpus, runs: runs, seed: 14)
        #expect(report.runs == corpus.count + runs)
        #expect(report.slowInputs.isEmpty, "\(report)")
        #expect(report.accepted > 0, "valid seeds are accepted: \(report)")
        #expect(report.accepted < report.runs, "hostile inputs are refused: \(report)")
    }

    @Test func mutatorIsDeterministicAndChangesInputs() {
        var first = Mutator(seed: 3), second = Mutator(seed: 3)
        let input = Array("epochs: 5\nseeds: [0, 1]\n".utf8)
        let a = (0 ..< 50).map { _ in first.mutate(input) }
        let b = (0 ..< 50).map { _ in second.mutate(input) }
        #expect(a == b)
        #expect(a.filter { $0 != input }.count > 40)
    }
}

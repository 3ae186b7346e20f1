// Scalpel — ScalpelCommands
// SPDX-License-Identifier: Apache-2.0
import Foundation
import ScalpelAnalysis
import ScalpelExperiments
import ScalpelTraining

/// `scalpel search --strategy truncated --method similarity`: TruncatedTL's low-cost truncation detection
/// (App. C.1) — one full fine-tuning, SVCCA and linear CKA of pretrained vs fine-tuned features at every
/// block cut point against random features of the same shapes (validation images), the cut before the
/// first cut point at the random level (``SimilarityGuidedCut``), then one truncated training there.
/// Two trainings instead of the whole search.
extension SearchCommand {
    struct SimilarityGuidedResult: Encodable {
        var method = "similarity"
        var full: Candidate
        var choice: SimilarityGuidedCut
        var truncated: Candidate
    }

    func runSimilarityGuided() throws {
        let device = try runtime.configure()
        let reporter = ProgressReporter(quiet: output.quiet, jsonLines: output.jsonLines)
        let name = URL(fileURLWithPath: data.data).deletingPathExtension().lastPathComponent
        let folder = URL(fileURLWithPath: output.output ?? "runs/search-\(name)-\(model.model)-truncated-similarity")

        let base = RunSpecification(data: data, model: model, training: training, runtime: runtime, splitSeed: splitSeed)
        let runData = try RunData(base.data, warn: { reporter.note("warning: " + $0) })
        reporter.note("data: \(runData.description)")
        let lock = try FolderLock(folder, purpose: "the search folder")
        defer { lock.release() }

        func train(strategy: String, parameters: String, label: String, cut: String, stage: Int) throws -> Candidate {
            var specification = base
            specification.strategy.name = strategy
            specification.strategy.parameters = parameters
            let runFolder = folder.appendingPathComponent(label)
            reporter.note("\(label): \(strategy) \(parameters)")
            let results = try SeedRuns.run(specification, seeds: [runtime.seed], folder: runFolder, data: runData,
                                           resume: output.resume, force: output.force, index: recordingIndex(note: reporter.note),
                                           note: reporter.note, observer: { reporter($0) })[0].results
            return Candidate(stage: stage, cut: cut, parameters: parameters, score: results.best?.value,
                             testAUROC: results.test?.metrics["auroc"]?.value, folder: runFolder.path)
        }

        // 1. One full fine-tuning.
        let full = try train(strategy: "full", parameters: "", label: "full", cut: "-", stage: 1)

        // 2. Pretrained vs fine-tuned at every block cut point, on the validation images.
        let trained = try RunSimilarity.openFinished(full.folder)
        let fineTuned = try FineTunedBackbone(trained, device: device)
        let pretrained = try trained.pretrainedBackbone(device: device)
        let cuts = try CutPointSimilarity.sharedCuts(pretrained, fineTuned.backbone, names: nil, sharedByWeights: fineTuned.cutsWithWeights)
        var options = SimilarityOptions()
        options.measures = [.linearCKA, .svcca]
        options.seed = runtime.seed
        let report = try RunSimilarity.compare(trained: trained, first: pretrained, second: fineTuned.backbone, cuts: cuts,
                                               split: "val", maxImages: 1000, options: options, spatial: .automatic,
                                               baselineDraws: 5, seed: runtime.seed, device: device)
        let choice = try SimilarityGuidedCut.choose(from: report)
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        try RunFolder.writeAtomically(try AnalysisJSON.encode(report), to: folder.appendingPathComponent("similarity.json"))

        // 3. One truncated training at the chosen cut.
        let truncated = try train(strategy: "truncated", parameters: "cut=\(choice.chosen)", label: "truncated-\(choice.chosen)",
                                  cut: choice.chosen, stage: 2)
        let result = SimilarityGuidedResult(full: full, choice: choice, truncated: truncated)
        try RunFolder.writeAtomically(try AnalysisJSON.encode(result), to: folder.appendingPathComponent("search.json"))

        print("Similarity-guided truncation (TruncatedTL App. C.1): \(model.model) on \(data.data)")
        print("cut                      measure      value    random (mean ± std)   at random level")
        for item in choice.evidence {
            print(String(format: "%@  %@  %8.4f    %.4f ± %.4f      %@%@", item.cut.padding(toLength: 23, withPad: " ", startingAt: 0),
                         item.measure.padding(toLength: 10, withPad: " ", startingAt: 0),
                         item.value, item.baselineMean, item.baselineStandardDeviation, item.overlaps ? "yes" : "no ",
                         item.cut == choice.chosen ? "   ← cut here" : ""))
        }
        func auroc(_ candidate: Candidate) -> String { candidate.testAUROC.map { String(format: "%.4f", $0) } ?? "-" }
        print("full fine-tuning: test AUROC \(auroc(full)); truncated at \(choice.chosen): test AUROC \(auroc(truncated))")
        print("Rule: \(choice.rule)\nResults in \(folder.path)/search.json")
    }
}

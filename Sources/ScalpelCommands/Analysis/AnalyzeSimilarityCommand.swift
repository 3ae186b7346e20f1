// Scalpel — ScalpelCommands
// SPDX-License-Identifier: Apache-2.0
import ArgumentParser
import Foundation
import ScalpelAnalysis
import ScalpelTraining
import Torch

/// `scalpel analyze similarity`: SVCCA, PWCCA and CKA between two sets of activations (`--features`), or per
/// cut point between a run's pretrained and fine-tuned networks (`RUN`), against the random baseline.
struct AnalyzeSimilarityCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "similarity",
        abstract: "SVCCA, PWCCA and CKA between two representations, against a random baseline of the same shapes.",
        discussion: """
            scalpel analyze similarity --features A.npy B.npy   activations computed elsewhere (rows = datapoints; \
            .npy or .safetensors; [N, F] or [N, C, H, W])
            scalpel analyze similarity RUN [--against RUN2]      per cut point: pretrained vs fine-tuned features of \
            the same images (or RUN vs RUN2), the block × block CKA matrix inside the fine-tuned model, and the area \
            between each coefficient curve and its baseline
            """)

    @Argument(help: "A finished run folder of `scalpel train` (omit with --features).")
    var runFolder: String?

    @Option(parsing: .upToNextOption, help: "Two activation files (.npy or .safetensors), rows = the same datapoints.")
    var features: [String] = []

    @Option(help: "The tensor to read from a .safetensors file holding several.")
    var key: String?

    @Option(help: "Compare RUN's fine-tuned network with this run's instead of with its pretrained start.")
    var against: String?

    @Option(help: "RUN: which split's images: train, val or test.")
    var split: String = "test"

    @Option(help: "RUN: at most this many images of the split (in order).")
    var maxImages: Int = 1000

    @Option(help: "RUN: comma-separated cut points (default: every block cut point both networks share).")
    var cuts: String?

    @Option(help: "Folder for similarity.json and similarity.csv (default: RUN/analysis/similarity-SPLIT, or ./similarity-A-B).")
    var output: String?

    @OptionGroup var measureOptions: SimilarityMeasureOptions
    @OptionGroup var runtime: RuntimeOptions

    func validate() throws {
        if runFolder == nil {
            guard features.count == 2 else {
                throw ValidationError("give a run folder, or --features with exactly two files (got \(features.count)).")
            }
        } else {
            guard features.isEmpty else { throw ValidationError("give either a run folder or --features, not both.") }
            guard ["train", "val", "test"].contains(split) else { throw ValidationError("--split must be train, val or test, got '\(split)'.") }
            guard (2 ... 100_000).contains(maxImages) else { throw ValidationError("--max-images must be in 2...100000, got \(maxImages).") }
        }
        if against != nil, runFolder == nil { throw ValidationError("--against needs a run folder.") }
    }

    func run() throws {
        let device = try runtime.configure()
        let options = try measureOptions.options(seed: runtime.seed)
        if let runFolder {
            try RunSimilarity.analyze(run: runFolder, against: against, split: split, maxImages: maxImages, cuts: cuts,
                                      options: options, measureOptions: measureOptions, output: output,
                                      seed: runtime.seed, device: device)
            return
        }
        let urls = features.map { URL(fileURLWithPath: $0) }
        let a = try FeatureFile.read(urls[0], key: key), b = try FeatureFile.read(urls[1], key: key)
        guard a.shape[0] == b.shape[0] else {
            throw SimilarityError("\(features[0]) has \(a.shape[0]) datapoints (rows) but \(features[1]) has \(b.shape[0]); " +
                                  "both must hold the same datapoints in the same order")
        }
        let (x, y) = try SpatialFolding.rows(try a.to(device: device), try b.to(device: device), handling: measureOptions.spatial)
        let comparison = try SimilarityComparison.compare(x, y, options: options, baselineDraws: measureOptions.baselineDraws,
                                                          seed: runtime.seed)
        let stems = urls.map { $0.deletingPathExtension().lastPathComponent }
        let folder = URL(fileURLWithPath: output ?? "similarity-\(stems[0])-\(stems[1])")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let report = FeatureSimilarityReport(files: features, shapes: [a.shape, b.shape], rows: [x.shape, y.shape],
                                             spatial: measureOptions.spatial.rawValue, comparison: comparison)
        try RunFolder.writeAtomically(try AnalysisJSON.encode(report), to: folder.appendingPathComponent("similarity.json"))
        try RunFolder.writeAtomically(Data(comparison.csv().utf8), to: folder.appendingPathComponent("similarity.csv"))
        print("\(features[0]) \(a.shape) vs \(features[1]) \(b.shape): \(x.shape[0]) datapoints × (\(x.shape[1]), \(y.shape[1])) features")
        for line in comparison.summaryLines() { print("  " + line) }
        print("Results: \(folder.appendingPathComponent("similarity.json").path)")
    }
}

/// What `analyze similarity --features` writes.
struct FeatureSimilarityReport: Encodable {
    var files: [String]
    var shapes: [[Int]]
    /// Shapes after folding or pooling.
    var rows: [[Int]]
    var spatial: String
    var comparison: SimilarityComparison
}

/// JSON as every analysis writes it: sorted keys, pretty, non-finite numbers as strings.
enum AnalysisJSON {
    static func encode(_ value: some Encodable) throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        encoder.nonConformingFloatEncodingStrategy = .convertToString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
        return try encoder.encode(value)
    }
}

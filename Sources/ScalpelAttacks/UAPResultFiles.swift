// Scalpel — ScalpelAttacks
// SPDX-License-Identifier: Apache-2.0
import Foundation
import ScalpelData
import Torch

/// The files of a finished UAP attack, each written atomically, `results.json` last:
/// `uap.safetensors` (`perturbation` `[C, H, W]` float32 in [0, 1] pixel units, settings as metadata),
/// `uap.npy` (the same array), `uap-amplified.png` (0.5 + v / (2 max|v|), for viewing), `triptych.png`
/// (one row per held-out example: clean | perturbation amplified | perturbed clip(x + v)), `curve.csv`,
/// `confusion.csv`, `results.csv`, `results.md` and `results.json`.
public struct UAPResultFiles {
    public let result: UAPResult
    public let perturbation: Tensor
    /// Images `[N, C, H, W]` in [0, 1] (N ≤ 16) for the triptych (nil: none written).
    public let examples: Tensor?

    public init(result: UAPResult, perturbation: Tensor, examples: Tensor? = nil) {
        self.result = result
        self.perturbation = perturbation
        self.examples = examples
    }

    public func write(to directory: URL) throws {
        let v = try perturbation.to(device: .cpu).to(dtype: .float32).contiguous()
        let settings = String(decoding: try JSONEncoder().encode(result.settings), as: UTF8.self)
        try SafeTensors.encode(try StateDict([("perturbation", v)]), metadata: ["settings": settings, "radius": "\(result.radius)"])
            .write(to: directory.appendingPathComponent("uap.safetensors"), options: .atomic)
        try Data(try NpyArray(float32: v).encoded()).write(to: directory.appendingPathComponent("uap.npy"), options: .atomic)
        try PerturbationImages.amplifiedPNG(v).write(to: directory.appendingPathComponent("uap-amplified.png"), options: .atomic)
        if let examples {
            try PerturbationImages.triptychPNG(examples: examples, perturbation: v)
                .write(to: directory.appendingPathComponent("triptych.png"), options: .atomic)
        }
        try text(curveCSV).write(to: directory.appendingPathComponent("curve.csv"), options: .atomic)
        try text(confusionCSV).write(to: directory.appendingPathComponent("confusion.csv"), options: .atomic)
        try text(tableCSV).write(to: directory.appendingPathComponent("results.csv"), options: .atomic)
        try text(markdown).write(to: directory.appendingPathComponent("results.md"), options: .atomic)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        encoder.nonConformingFloatEncodingStrategy = .convertToString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
        try encoder.encode(result).write(to: directory.appendingPathComponent(UAPRunner.resultsFile), options: .atomic)
    }

    private func text(_ string: String) -> Data { Data(string.utf8) }

    private func number(_ value: Double?) -> String { value.map { String(format: "%.4f", $0) } ?? "" }

    var curveCSV: String {
        "images_seen,l2,linf,source_fooling_rate,heldout_fooling_rate,heldout_targeted_success\n"
            + result.curve.map { p in
                "\(p.imagesSeen),\(number(p.l2)),\(number(p.linf)),\(number(p.sourceFoolingRate)),\(number(p.foolingRate)),\(number(p.targetedSuccessRate))\n"
            }.joined()
    }

    var confusionCSV: String {
        "clean\\perturbed," + result.classNames.map(quoted).joined(separator: ",") + "\n"
            + zip(result.classNames, result.heldout.confusion).map { name, row in
                quoted(name) + "," + row.map(String.init).joined(separator: ",") + "\n"
            }.joined()
    }

    /// One row per perturbation: the UAP and each random control (radius ξ, then radius ‖v‖ when smaller).
    var tableCSV: String {
        var rows = ["perturbation,norm,zeta,radius,fooling_rate,targeted_success_rate"]
        let s = result.settings
        rows.append("uap,\(s.norm.rawValue),\(s.zeta),\(number(result.radius)),\(number(result.heldout.foolingRate)),\(number(result.heldout.targetedSuccessRate))")
        for (index, rate) in result.random.foolingRates.enumerated() {
            rows.append("random-\(index + 1),\(s.norm.rawValue),\(s.zeta),\(number(result.radius)),\(number(rate)),\(number(result.random.targetedSuccessRates?[index]))")
        }
        if let small = result.randomAtUAPNorm {
            let size = s.norm == .l2 ? result.perturbationL2 : result.perturbationLinf
            for (index, rate) in small.foolingRates.enumerated() {
                rows.append("random-uap-norm-\(index + 1),\(s.norm.rawValue),\(s.zeta),\(number(size)),\(number(rate)),\(number(small.targetedSuccessRates?[index]))")
            }
        }
        return rows.joined(separator: "\n") + "\n"
    }

    var markdown: String {
        let s = result.settings, h = result.heldout
        var lines = ["# Universal adversarial perturbation", "",
                     "Source: \(s.source) (\(result.imagesSeen) inputs seen, \(s.views) view(s) per image); \(s.targetClass.map { "targeted at \(result.classNames[$0])" } ?? "non-targeted"); \(s.norm.rawValue), ζ = \(s.zeta), ξ = \(number(result.radius)) (mean reference norm \(number(result.meanReferenceNorm)), pixels in [0, 1], perturbed images clipped to [0, 1]); FGSM step \(s.fgsmEpsilon), \(s.passes) pass(es) per chunk of \(s.chunkSize).",
                     "", "| perturbation | ‖v‖₂ | ‖v‖∞ | fooling rate | targeted success |", "|---|---|---|---|---|",
                     "| UAP | \(number(result.perturbationL2)) | \(number(result.perturbationLinf)) | \(number(h.foolingRate)) | \(number(h.targetedSuccessRate)) |",
                     "| random (\(result.random.draws) draws, radius ξ) | | | \(number(result.random.meanFoolingRate)) ± \(number(result.random.standardDeviation)) | \(number(result.random.targetedSuccessRates.map { $0.isEmpty ? 0 : $0.reduce(0, +) / Double($0.count) })) |"]
        if let small = result.randomAtUAPNorm {
            lines.append("| random (\(small.draws) draws, radius ‖v‖ = \(number(s.norm == .l2 ? result.perturbationL2 : result.perturbationLinf))) | | | \(number(small.meanFoolingRate)) ± \(number(small.standardDeviation)) | \(number(small.targetedSuccessRates.map { $0.isEmpty ? 0 : $0.reduce(0, +) / Double($0.count) })) |")
        }
        lines += ["", "Fooling rate against the clean predictions on \(h.images) held-out images; by clean class:", "",
                  "| class | images | fooling rate |", "|---|---|---|"]
        for (index, name) in result.classNames.enumerated() {
            lines.append("| \(name) | \(h.imagesByCleanClass[index]) | \(number(h.foolingRateByCleanClass[index])) |")
        }
        if let share = h.cleanMajorityShare, share >= ExposureTable.nearlyConstantShare {
            lines += ["", "**Nearly constant decisions**: \(String(format: "%.1f", 100 * share)) % of the held-out images fall in one class when clean, so a perturbation that does not carry almost every score across the boundary flips nothing; the fooling rate says little about this model's exposure."]
        }
        if !result.skipped.isEmpty { lines += ["", "Skipped \(result.skipped.count) unreadable source image(s): " + result.skipped.prefix(10).joined(separator: "; ")] }
        return lines.joined(separator: "\n") + "\n"
    }

    private func quoted(_ field: String) -> String { CSVWriter.field(field) }
}

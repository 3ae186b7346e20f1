// Scalpel — ScalpelTraining
// SPDX-License-Identifier: Apache-2.0

/// One parameter of a strategy, as `scalpel strategies` lists it.
public struct StrategyParameter: Sendable, Equatable, Codable {
    public var name: String
    /// `integer`, `number`, `cut point`, `block` or `choice`.
    public var kind: String
    public var defaultValue: String?
    /// The valid values, in words (`1 … number of blocks`, `linear | mlp`).
    public var valid: String
    public var help: String
}

/// A transfer strategy by name: what it does, where it comes from, its parameters.
public struct StrategyInfo: Sendable, Equatable, Codable {
    public var name: String
    public var summary: String
    public var source: String
    public var parameters: [StrategyParameter]
}

/// Every strategy Scalpel trains (`ALGORITHMS.md` §1). Each becomes surgery (keep, truncate, slim the
/// top) plus phases (``TrainingPhase``) — the trainer knows nothing of these names.
public enum StrategyCatalogue {
    static func parameter(_ name: String, _ kind: String, _ defaultValue: String?, _ valid: String, _ help: String) -> StrategyParameter {
        StrategyParameter(name: name, kind: kind, defaultValue: defaultValue, valid: valid, help: help)
    }

    static let head = parameter("head", "choice", "linear", "linear | mlp", "the new classifier: one Linear, or Linear–ReLU–Linear with `hidden` units")
    static let hidden = parameter("hidden", "integer", "512", ">= 1", "hidden units of an mlp head")

    public static let all: [StrategyInfo] = [
        StrategyInfo(name: "scratch", summary: "the same architecture from random initialisation, everything trains",
                     source: "baseline (MedMNIST v2, Yang et al. 2023)", parameters: []),
        StrategyInfo(name: "linear-probe",
                     summary: "frozen pretrained backbone (BatchNorm statistics included, bit-identical after training), a new head trains",
                     source: "feature extractor baseline (Kornblith et al. 2019; Davila et al. 2024)", parameters: [head, hidden]),
        StrategyInfo(name: "full", summary: "fine-tune every layer from the pretrained weights (FTL)",
                     source: "standard fine-tuning (Tajbakhsh et al. 2016; Peng et al. 2023 'FTL')", parameters: []),
        StrategyInfo(name: "block-wise", summary: "fine-tune the top k blocks and the head; the rest stays frozen",
                     source: "Kandel & Castelli 2020, Appl. Sci. 10:3359",
                     parameters: [parameter("k", "integer", "1", "1 … number of blocks", "how many top blocks train")]),
        StrategyInfo(name: "lwft", summary: "layer-wise fine-tuning: the top k layers train at a tenth of the head's rate, the head at the base rate",
                     source: "Tajbakhsh et al. 2016, IEEE TMI 35(5); TTL code's freeze_resnet50",
                     parameters: [parameter("k", "integer", "1", "1 … number of layers", "how many top layers train"),
                                  parameter("decay", "number", "10", "> 0", "backbone rate = head rate / decay")]),
        StrategyInfo(name: "transfusion",
                     summary: "layers above the cut rebuilt at half width and freshly initialised, the rest pretrained; everything trains",
                     source: "Raghu et al. 2019, NeurIPS (TransFusion); TTL code's slim_resnet50 and slim_densenet (growth rate divided); EfficientNet-Lite stages slimmed the same way",
                     parameters: [parameter("cut", "cut point", nil, "a block cut point below the top: ResNet stem, layer1 … layer3; DenseNet features.denseblock1 … features.transition3; EfficientNet-Lite stem, _blocks.0 … the last stage's block", "the last pretrained block"),
                                  parameter("width-divisor", "integer", "2", "1, 2, 4, …", "what the top's width is divided by")]),
        StrategyInfo(name: "truncated",
                     summary: "TruncatedTL: keep the pretrained bottom up to the cut, add a pooled linear head, fine-tune all; parameters = prefix + head",
                     source: "Peng et al. 2023, BMVC (arXiv 2106.05152)",
                     parameters: [parameter("cut", "cut point", nil, "any cut point of the backbone (scalpel models NAME --cuts)", "where the network is cut")]),
        StrategyInfo(name: "gradual-unfreezing",
                     summary: "the head trains first, then one more block per phase from the top, until everything trains",
                     source: "Howard & Ruder 2018, ULMFiT",
                     parameters: [parameter("epochs-per-stage", "integer", "1", ">= 1", "epochs before the next block unfreezes")]),
        StrategyInfo(name: "lp-ft", summary: "linear probe first, then full fine-tuning from the probed head",
                     source: "Kumar et al. 2022, ICLR",
                     parameters: [parameter("probe-epochs", "integer", "5", ">= 1", "epochs of the linear-probe phase"),
                                  parameter("probe-lr-factor", "number", "10", "> 0", "probe rate = base rate × factor")]),
        StrategyInfo(name: "l2-sp", summary: "full fine-tuning with α/2‖w − w⁰‖² towards the pretrained weights and β/2‖w‖² on the new head",
                     source: "Li, Grandvalet & Davoine 2018, ICML",
                     parameters: [parameter("alpha", "number", "0.01", ">= 0", "weight of the pull towards w⁰"),
                                  parameter("beta", "number", "0.01", ">= 0", "weight decay of the new head")]),
        StrategyInfo(name: "l1-sp", summary: "full fine-tuning with α‖w − w⁰‖₁ towards the pretrained weights and β/2‖w‖² on the new head",
                     source: "Li, Grandvalet & Davoine 2018, ICML",
                     parameters: [parameter("alpha", "number", "0.001", ">= 0", "weight of the pull towards w⁰"),
                                  parameter("beta", "number", "0.01", ">= 0", "weight decay of the new head")]),
        StrategyInfo(name: "discriminative-lr",
                     summary: "every block trains, at a rate divided by `decay` per block below the top; the head at the base rate; BatchNorm on running statistics",
                     source: "Howard & Ruder 2018, ULMFiT (discriminative fine-tuning)",
                     parameters: [parameter("decay", "number", "2.6", ">= 1", "rate ratio between neighbouring blocks")]),
        StrategyInfo(name: "auto-rgn",
                     summary: "every parameter tensor's rate is the base rate × its relative gradient norm ‖g‖/‖w‖ over the largest, recomputed each step; BatchNorm on running statistics",
                     source: "Lee et al. 2023, ICLR (surgical fine-tuning, Auto-RGN)", parameters: []),
        StrategyInfo(name: "surgical", summary: "only one chosen block (and the new head) trains",
                     source: "Lee et al. 2023, ICLR",
                     parameters: [parameter("block", "block", nil, "a block cut point name (scalpel models NAME --cuts)", "the block that trains")]),
    ]

    /// The strategy called `name`; throws listing every name otherwise.
    public static func info(_ name: String) throws -> StrategyInfo {
        guard let info = all.first(where: { $0.name == name.lowercased() }) else {
            throw TrainingError.invalidOption("unknown strategy '\(name)'. Valid: \(all.map(\.name).joined(separator: ", ")) (scalpel strategies lists their parameters)")
        }
        return info
    }
}

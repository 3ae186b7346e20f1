// Scalpel — ScalpelTraining
// SPDX-License-Identifier: Apache-2.0
import ScalpelModels
import Torch
import TorchNN

/// `truncated` (TruncatedTL): the pretrained bottom up to a cut point and a pooled linear head.
struct TruncatedStrategy: StrategyDefinition {
    static let info = StrategyInfo(
        name: "truncated",
        summary: "TruncatedTL: keep the pretrained bottom up to the cut, add a pooled linear head, fine-tune all; parameters = prefix + head",
        source: "Peng et al. 2023, BMVC (arXiv 2106.05152)",
        parameters: [StrategyCatalogue.parameter("cut", "cut point", nil, "any cut point of the backbone (scalpel models NAME --cuts)", "where the network is cut")])
    /// Every block cut point (the whole extractor included), then any layer cut point near the best.
    static let cutPointSearch: CutPointSearch? = CutPointSearch(includesTopBlock: true, refinesWithLayers: true)
    let cut: String
    init(_ arguments: StrategyArguments) throws { cut = try arguments.text("cut") }

    func makeModel(from backbone: any Backbone, classCount: Int, generator: Generator?) throws -> any SplitNetwork {
        try TruncatedClassifier(backbone, cut: Self.cutPoint(cut, of: backbone), classCount: classCount, generator: generator)
    }

    func phases(_ target: StrategyTarget, base: TrainingPhase) -> [TrainingPhase] { [base.named(Self.info.name, trainable: .all)] }
}

/// `transfusion` (Raghu et al. 2019): the stages above a cut rebuilt slim and fresh. The backbone's
/// family builds the slim network (``SlimmableBackbone``); the pretrained bottom is copied in here.
struct TransFusionStrategy: StrategyDefinition {
    static let info = StrategyInfo(
        name: "transfusion",
        summary: "layers above the cut rebuilt at half width and freshly initialised, the rest pretrained; everything trains",
        source: "Raghu et al. 2019, NeurIPS (TransFusion); TTL code's slim_resnet50 and slim_densenet (growth rate divided); EfficientNet-Lite stages slimmed the same way",
        parameters: [StrategyCatalogue.parameter("cut", "cut point", nil, "a block cut point below the top: ResNet stem, layer1 … layer3; DenseNet features.denseblock1 … features.transition3; EfficientNet-Lite stem, _blocks.0 … the last stage's block", "the last pretrained block"),
                     StrategyCatalogue.parameter("width-divisor", "integer", "2", "1, 2, 4, …", "what the top's width is divided by")])
    /// Block cut points below the top only: TransFusion slims whole stages.
    static let cutPointSearch: CutPointSearch? = CutPointSearch(includesTopBlock: false, refinesWithLayers: false)
    let cut: String
    let widthDivisor: Int

    init(_ arguments: StrategyArguments) throws {
        let divisor = try arguments.integer("width-divisor", minimum: 1)
        guard divisor & (divisor - 1) == 0 else { throw Self.invalid("width-divisor must be a power of two, got \(divisor)") }
        widthDivisor = divisor
        cut = try arguments.text("cut")
    }

    func phases(_ target: StrategyTarget, base: TrainingPhase) -> [TrainingPhase] { [base.named(Self.info.name, trainable: .all)] }

    /// The backbone's slim variant above `cut`, with the pretrained tensors of the blocks up to the
    /// cut copied in.
    func makeModel(from backbone: any Backbone, classCount: Int, generator: Generator?) throws -> any SplitNetwork {
        guard let slimmable = backbone as? any SlimmableBackbone else {
            throw TrainingError.invalidOption("strategy transfusion is built for ResNets, DenseNets (the TTL code's slim_resnet and slim_densenet) and EfficientNet-Lite; \(backbone.architecture.rawValue) is a \(backbone.architecture.family.rawValue)")
        }
        let cutPoint = try Self.cutPoint(cut, of: backbone)
        let cuts = slimmable.slimmableCuts
        let blocks = BackboneRegions(backbone).blocks
        guard cutPoint.level == .block, let index = blocks.firstIndex(where: { $0.name == cutPoint.name }), cuts.contains(cutPoint.name) else {
            throw Self.invalid("the cut must be a block below the top, one of \(cuts.joined(separator: ", ")); got '\(cut)'")
        }
        let slim = try slimmable.makeSlim(try slimmable.slimTop(above: cutPoint.name, widthDivisor: widthDivisor),
                                          classCount: classCount, generator: generator)
        let pretrained = Dictionary(uniqueKeysWithValues: backbone.namedTensors().map { ($0.key, $0.tensor) })
        // A grey-scale backbone's stem takes one channel; the slim network's must too.
        if let stem = pretrained[backbone.architecture.pretrainedConfig.firstConvKey + ".weight"], stem.rank == 4 {
            try slim.adaptInputChannels(stem.shape[1])
        }
        let kept = ParameterFilter.prefixes(blocks.prefix(index + 1).flatMap(\.prefixes))
        try withNoGrad {
            for (key, tensor) in slim.namedTensors() where kept.matches(key) {
                guard let source = pretrained[key], source.shape == tensor.shape else {
                    throw Self.invalid("the pretrained '\(key)' does not fit the slim network (\(pretrained[key]?.shape.description ?? "missing") vs \(tensor.shape))")
                }
                try tensor.copyInPlace(from: source)
            }
        }
        return slim
    }
}

extension StrategyDefinition {
    /// The cut point called `name` of `backbone`; the error lists the valid ones.
    static func cutPoint(_ name: String, of backbone: any Backbone) throws -> CutPoint {
        do { return try backbone.cutPoint(named: name) } catch let error as CutPointError {
            throw invalid(error.description)
        }
    }
}

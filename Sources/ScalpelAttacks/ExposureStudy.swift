// Scalpel — ScalpelAttacks
// SPDX-License-Identifier: Apache-2.0
import Foundation
import Torch

/// One strategy × seed model of a comparison, opened for the exposure study.
public struct ExposureModel {
    public var classifier: PixelClassifier
    public var classNames: [String]
    /// The run's training images: the reference for ξ = ζ × mean norm.
    public var training: SourceImages
    /// The training images the "training" UAP is computed from (the first ones when limited).
    public var trainingSource: SourceImages
    /// Natural images seen at the model's size and channels (nil: no natural-image UAP).
    public var natural: SourceImages?
    /// Held-out images `[N, C, H, W]` in [0, 1] and their labels.
    public var heldout: Tensor
    public var heldoutLabels: [Int]?

    public init(classifier: PixelClassifier, classNames: [String], training: SourceImages, trainingSource: SourceImages,
                natural: SourceImages?, heldout: Tensor, heldoutLabels: [Int]?) {
        self.classifier = classifier
        self.classNames = classNames
        self.training = training
        self.trainingSource = trainingSource
        self.natural = natural
        self.heldout = heldout
        self.heldoutLabels = heldoutLabels
    }
}

/// What every UAP of the study shares.
public struct ExposureSettings: Sendable, Equatable, Codable {
    public var norms: [PerturbationNorm]
    public var zetas: [Double]
    public var fgsmEpsilon: Double
    /// Views per natural image (training images are seen once each).
    public var views: Int
    public var chunkSize: Int
    public var passes: Int
    public var randomDraws: Int
    public var seed: UInt64
    /// What the natural images are (for the result files); nil: no natural-image UAPs.
    public var naturalSource: String?

    public init(norms: [PerturbationNorm], zetas: [Double], fgsmEpsilon: Double = 0.0012, views: Int = 1, chunkSize: Int = 100,
                passes: Int = 1, randomDraws: Int = 5, seed: UInt64 = 0, naturalSource: String?) throws {
        guard !norms.isEmpty, !zetas.isEmpty, norms.count <= 2, zetas.count <= 16 else {
            throw AttackError("give 1 or 2 norms and 1 to 16 values of ζ, got \(norms.count) and \(zetas.count)")
        }
        self.norms = norms
        self.zetas = zetas
        self.fgsmEpsilon = fgsmEpsilon
        self.views = views
        self.chunkSize = chunkSize
        self.passes = passes
        self.randomDraws = randomDraws
        self.seed = seed
        self.naturalSource = naturalSource
        for norm in norms { for zeta in zetas { for kind in kinds { _ = try job(kind: kind, norm: norm, zeta: zeta) } } }
    }

    /// The UAP sources: natural images (when given) and training images.
    public var kinds: [ExposureTable.Kind] { (naturalSource == nil ? [] : [.natural]) + [.training] }

    /// The settings of one UAP (same seed, FGSM step, chunks and controls for every model).
    public func job(kind: ExposureTable.Kind, norm: PerturbationNorm, zeta: Double) throws -> UAPJobSettings {
        try UAPJobSettings(norm: norm, zeta: zeta, fgsmEpsilon: fgsmEpsilon, views: kind == .natural ? views : 1,
                           chunkSize: chunkSize, passes: passes, randomDraws: randomDraws, seed: seed,
                           source: kind == .natural ? naturalSource ?? "natural" : "train")
    }

    /// The folder of one UAP below a model's folder.
    public static func folderName(kind: ExposureTable.Kind, norm: PerturbationNorm, zeta: Double) -> String {
        "uap-\(kind.rawValue)-\(norm.rawValue)-\(zeta)"
    }
}

/// The study behind `scalpel attack compare`: for every model of a comparison, non-targeted UAPs from
/// natural and from training images at each norm and ζ (each in its own resumable UAP folder,
/// `DIRECTORY/STRATEGY/seed-N/uap-KIND-NORM-ZETA`, finished ones read back), random controls in the same
/// ball, then the transfer matrices between the strategies' first seed models and the
/// ``ExposureTable``. Models are opened one at a time.
public final class ExposureStudy {
    public let directory: URL
    public let settings: ExposureSettings
    /// Strategy label and folder below the comparison (`STRATEGY/seed-N`) of each model, strategy by strategy.
    public let members: [(strategy: String, name: String)]
    public var log: (String) -> Void = { _ in }

    public init(directory: URL, settings: ExposureSettings, members: [(strategy: String, name: String)]) throws {
        guard !members.isEmpty else { throw AttackError("the comparison has no model to attack") }
        self.directory = directory
        self.settings = settings
        self.members = members
    }

    /// Runs (or resumes) the study. `open(i)` opens `members[i]`; `cleanAUROC[name]` is each run's test AUROC.
    public func run(title: String, cleanAUROC: [String: Double], open: (Int) throws -> ExposureModel) throws -> ExposureTable {
        var entries: [ExposureTable.Entry] = []
        for (index, member) in members.enumerated() {
            var model: ExposureModel?
            for norm in settings.norms {
                for zeta in settings.zetas {
                    for kind in settings.kinds {
                        let folder = directory.appendingPathComponent(member.name)
                            .appendingPathComponent(ExposureSettings.folderName(kind: kind, norm: norm, zeta: zeta))
                        let result: UAPResult
                        if try UAPRunner.finishedPerturbation(in: folder) != nil {
                            result = try JSONDecoder().decode(UAPResult.self, from: Data(contentsOf: folder.appendingPathComponent(UAPRunner.resultsFile)))
                        } else {
                            let opened = try model ?? open(index)
                            model = opened
                            log("\(member.name): \(kind.rawValue) UAP, \(norm.rawValue), ζ \(zeta)")
                            let runner = try UAPRunner(classifier: opened.classifier, settings: settings.job(kind: kind, norm: norm, zeta: zeta),
                                                       directory: folder, classNames: opened.classNames)
                            runner.log = { [log] in log("  " + $0) }
                            guard let source = kind == .natural ? opened.natural : opened.trainingSource,
                                  let finished = try runner.run(source: source, reference: opened.training, heldout: opened.heldout,
                                                                heldoutLabels: opened.heldoutLabels) else {
                                throw AttackError("\(member.name): the \(kind.rawValue) UAP did not finish")
                            }
                            result = finished
                        }
                        entries.append(ExposureTable.Entry(strategy: member.strategy, model: member.name, kind: kind, norm: norm, zeta: zeta,
                                                           foolingRates: [result.heldout.foolingRate], images: result.heldout.images,
                                                           cleanMajorityShare: result.heldout.cleanMajorityShare))
                        if kind == settings.kinds[0], result.random.draws > 0 {   // the same controls in every folder: count them once
                            entries.append(ExposureTable.Entry(strategy: member.strategy, model: member.name, kind: .random, norm: norm,
                                                               zeta: zeta, foolingRates: result.random.foolingRates, images: result.heldout.images))
                        }
                        if kind == .natural, result.random.draws > 0 {   // controls of the natural UAP's own size
                            entries.append(ExposureTable.Entry(strategy: member.strategy, model: member.name, kind: .randomNaturalSize,
                                                               norm: norm, zeta: zeta,
                                                               foolingRates: (result.randomAtUAPNorm ?? result.random).foolingRates,
                                                               images: result.heldout.images))
                        }
                    }
                }
            }
        }
        var strategies: [String] = []
        for member in members where !strategies.contains(member.strategy) { strategies.append(member.strategy) }
        var table = ExposureTable(title: title, strategies: strategies, entries: entries, cleanAUROC: cleanAUROC)
        table.transfers = try transferMatrices(open: open)
        try table.write(to: directory)
        return table
    }

    /// Between the first seed model of each strategy: one matrix per kind × norm × ζ, written as
    /// `transfer-KIND-NORM-ZETA.{json,csv,md}`. Each target model is opened once.
    func transferMatrices(open: (Int) throws -> ExposureModel) throws -> [String: TransferMatrix] {
        var firsts: [Int] = []
        for (index, member) in members.enumerated() where !firsts.contains(where: { members[$0].strategy == member.strategy }) {
            firsts.append(index)
        }
        guard firsts.count > 1 else { return [:] }
        var keys: [(key: String, kind: ExposureTable.Kind, norm: PerturbationNorm, zeta: Double)] = []
        var perturbations: [String: [(name: String, perturbation: Tensor)]] = [:]
        for norm in settings.norms {
            for zeta in settings.zetas {
                for kind in settings.kinds {
                    let key = ExposureTable.key(kind: kind, norm: norm, zeta: zeta)
                    keys.append((key, kind, norm, zeta))
                    perturbations[key] = try firsts.map { index in
                        let folder = directory.appendingPathComponent(members[index].name)
                            .appendingPathComponent(ExposureSettings.folderName(kind: kind, norm: norm, zeta: zeta))
                        guard let v = try UAPRunner.finishedPerturbation(in: folder) else {
                            throw AttackError("\(folder.path) holds no finished UAP")
                        }
                        return (members[index].strategy, v)
                    }
                }
            }
        }
        var columns: [String: [TransferMatrix]] = [:]
        for index in firsts {
            log("transfer to \(members[index].name)")
            let model = try open(index)
            let target = try TransferTarget(name: members[index].strategy, classifier: model.classifier, images: model.heldout)
            for entry in keys {
                columns[entry.key, default: []].append(try TransferMatrix(perturbations: perturbations[entry.key]!, targets: [target]))
            }
        }
        var matrices: [String: TransferMatrix] = [:]
        for entry in keys {
            let parts = columns[entry.key]!
            let matrix = TransferMatrix(sources: parts[0].sources, targets: parts.flatMap(\.targets), images: parts.flatMap(\.images),
                                        foolingRates: parts[0].sources.indices.map { row in parts.map { $0.foolingRates[row][0] } })
            try matrix.write(to: directory, name: "transfer-\(entry.kind.rawValue)-\(entry.norm.rawValue)-\(entry.zeta)",
                             title: "Transfer of \(entry.kind.rawValue)-image UAPs, \(entry.norm.rawValue), ζ \(entry.zeta) (first seed of each strategy)")
            matrices[entry.key] = matrix
        }
        return matrices
    }
}

// Scalpel — ScalpelModels
// SPDX-License-Identifier: Apache-2.0
import Foundation
import Torch
import TorchNN

/// What ``Backbone/loadPretrained(from:classCount:inputChannels:generator:)`` did, key by key (full
/// dotted keys in model order). Every model key is in exactly one of ``loaded``, ``adapted``,
/// ``reset`` and ``defaulted``.
public struct PretrainedLoadReport: Sendable, Equatable, CustomStringConvertible {
    /// A legacy key of the file and the key it was loaded as.
    public struct Rename: Sendable, Equatable {
        public var from: String, to: String
    }

    /// The weight file (or the name given for an in-memory state dict).
    public var source: String
    /// Keys copied unchanged from the file.
    public var loaded: [String] = []
    /// Keys whose file values were transformed to fit: the first convolution's weight, summed over
    /// the RGB axis for 1 input channel or repeated and rescaled for other counts (timm's
    /// `adapt_input_conv`).
    public var adapted: [String] = []
    /// Classifier keys that kept their fresh initialisation because the class count differs from the file's.
    public var reset: [String] = []
    /// BatchNorm `num_batches_tracked` counters absent from files saved before PyTorch 0.4.1, set
    /// to 0 as PyTorch's BatchNorm does.
    public var defaulted: [String] = []
    /// File classifier keys with no place in the model (an identity head); not loaded.
    public var discarded: [String] = []
    /// Legacy file keys renamed on the way in (torchvision's DenseNet files: `norm.1` → `norm1`).
    public var renamed: [Rename] = []

    public init(source: String) { self.source = source }

    public var description: String {
        func list(_ keys: [String]) -> String {
            keys.count > 6 ? keys.prefix(6).joined(separator: ", ") + ", … (\(keys.count - 6) more)" : keys.joined(separator: ", ")
        }
        var parts = ["\(source): loaded \(loaded.count) tensor(s)"]
        if !adapted.isEmpty { parts.append("adapted \(list(adapted))") }
        if !reset.isEmpty { parts.append("reset \(list(reset))") }
        if !defaulted.isEmpty { parts.append("\(defaulted.count) BatchNorm counter(s) absent, set to 0") }
        if !discarded.isEmpty { parts.append("discarded \(list(discarded))") }
        if !renamed.isEmpty { parts.append("renamed \(renamed.count) legacy key(s)") }
        return parts.joined(separator: "; ")
    }
}

extension Backbone {
    /// Loads ImageNet (or any) weights saved from this architecture and adapts them to the target
    /// task, as timm's `load_pretrained` does.
    ///
    /// - The first convolution (`firstConvKey`) is adapted to `inputChannels`: for 1 channel the
    ///   pretrained RGB kernels are summed over the channel axis; for other counts they are repeated
    ///   and scaled by 3 / `inputChannels`. If the model's own first convolution has another channel
    ///   count, its weight is replaced (same tensor identity) by one of the adapted shape.
    /// - When `classCount` differs from the model's, ``Backbone/resetClassifier(classCount:generator:)``
    ///   installs a fresh head; classifier keys (`classifierKeys`) whose shape differs from the file's
    ///   keep their fresh values and are reported as reset.
    /// - Everything else must match key for key, shape for shape; nothing is filtered silently.
    ///
    /// ```swift
    /// let model = try Architecture.resnet18.makeModel()
    /// let report = try model.loadPretrained(from: file, classCount: 2, inputChannels: 1)
    /// // report.adapted == ["conv1.weight"], report.reset == ["fc.weight", "fc.bias"]
    /// ```
    ///
    /// - Parameters:
    ///   - url: a safetensors or PyTorch `.pth` file (zip or legacy format).
    ///   - classCount: classes of the target task; nil keeps the model's.
    ///   - inputChannels: channels of the target images (1 for grey-scale X-rays, 3 for RGB).
    ///   - generator: initialises a reset classifier reproducibly.
    /// - Returns: which keys were loaded, adapted, reset, defaulted, discarded and renamed.
    /// - Throws: `SerializationError` for an unreadable file; `StateDictError` naming the file and the
    ///   first missing, unexpected and mismatched keys when it was saved from another architecture
    ///   (the model is unchanged then); ``ArchitectureError`` for an invalid count.
    @discardableResult
    public func loadPretrained(from url: URL, classCount: Int? = nil, inputChannels: Int = 3,
                               generator: Generator? = nil) throws -> PretrainedLoadReport {
        try loadPretrained(WeightFile.read(contentsOf: url), source: url.path, classCount: classCount,
                           inputChannels: inputChannels, generator: generator)
    }

    /// ``loadPretrained(from:classCount:inputChannels:generator:)`` for a state dict already in memory.
    @discardableResult
    public func loadPretrained(_ file: StateDict, source: String, classCount: Int? = nil, inputChannels: Int = 3,
                               generator: Generator? = nil) throws -> PretrainedLoadReport {
        let classCount = classCount ?? self.classCount
        guard classCount >= 0, inputChannels > 0 else {
            throw ArchitectureError("classCount must be >= 0 and inputChannels > 0, got \(classCount) and \(inputChannels)")
        }
        let keys = PretrainedLoader.keys(for: architecture)
        let convKey = keys.firstConv + ".weight"
        func isClassifier(_ key: String) -> Bool { keys.classifiers.contains { key.hasPrefix($0 + ".") } }
        var report = PretrainedLoadReport(source: source)
        var weights = StateDict()
        for (key, tensor) in file.entries {
            let name = PretrainedLoader.modernKey(key)
            if name != key { report.renamed.append(.init(from: key, to: name)) }
            weights[name] = tensor
        }

        // Check everything but the head before changing the model.
        let model = namedTensors()
        var missing: [String] = [], mismatches: [KeyMismatch] = []
        for (key, target) in model where !isClassifier(key) {
            guard let source = weights[key] else {
                if !key.hasSuffix(".num_batches_tracked") { missing.append(key) }
                continue
            }
            let fits = key == convKey
                ? PretrainedLoader.canAdapt(source, to: target, inputChannels: inputChannels)
                : source.shape == target.shape && source.dtype == target.dtype
            if !fits {
                mismatches.append(KeyMismatch(key: key, expectedShape: target.shape, expectedDType: target.dtype,
                                              foundShape: source.shape, foundDType: source.dtype))
            }
        }
        let modelKeys = Set(model.map(\.key))
        let unexpected = weights.keys.filter { !isClassifier($0) && !modelKeys.contains($0) }
        guard missing.isEmpty, unexpected.isEmpty, mismatches.isEmpty else {
            throw StateDictError(model: architecture.rawValue, missingKeys: missing, unexpectedKeys: unexpected,
                                 mismatches: mismatches, source: source)
        }

        if classCount != self.classCount {
            try resetClassifier(classCount: classCount, generator: generator)
        }
        var final = StateDict()
        let targets = namedTensors()
        for (key, target) in targets {
            if isClassifier(key) {
                if let source = weights[key], source.shape == target.shape, source.dtype == target.dtype {
                    final[key] = source
                    report.loaded.append(key)
                } else {
                    report.reset.append(key)
                }
            } else if key == convKey, let source = weights[key] {
                let value = try PretrainedLoader.adaptInputConv(source, inputChannels: inputChannels)
                if source.shape[1] == inputChannels { report.loaded.append(key) } else { report.adapted.append(key) }
                if target.shape != value.shape {
                    try firstConvolution(at: convKey).adaptInputChannels(inputChannels)
                }
                final[key] = value
            } else if let source = weights[key] {
                final[key] = source
                report.loaded.append(key)
            } else {
                final[key] = try Tensor.zeros(target.shape, dtype: target.dtype)
                report.defaulted.append(key)
            }
        }
        let kept = Set(targets.map(\.key))
        report.discarded = weights.keys.filter { isClassifier($0) && !kept.contains($0) }
        try load(final, policy: LoadPolicy(allowedMissingKeys: .names(report.reset)))
        return report
    }
}

/// A first convolution whose input channel count can change (a grey-scale input for an RGB stem).
public protocol InputChannelAdaptable: AnyObject {
    func adaptInputChannels(_ count: Int) throws
}

extension Conv2d: InputChannelAdaptable {}

extension Backbone {
    /// Makes the first convolution (``PretrainedConfig/firstConvKey``) take `count` input channels with
    /// its current kernels adapted as ``loadPretrained(from:classCount:inputChannels:generator:)`` adapts
    /// pretrained ones (summed over RGB for one channel). For a freshly initialised network this equals
    /// feeding the grey image repeated in three channels, as the MedMNIST protocol does.
    public func adaptInputChannels(_ count: Int) throws {
        let key = architecture.pretrainedConfig.firstConvKey
        guard let weight = namedTensors().first(where: { $0.key == key + ".weight" })?.tensor else {
            throw ArchitectureError("\(architecture.rawValue): no first convolution weight '\(key).weight'")
        }
        guard weight.shape.count == 4, weight.shape[1] != count else { return }
        let adapted = try withNoGrad { try PretrainedLoader.adaptInputConv(weight, inputChannels: count) }
        try firstConvolution(at: key).adaptInputChannels(count)
        try withNoGrad { try weight.copyInPlace(from: adapted) }
    }

    /// The module owning the first-conv weight `key` (`conv1.weight` → the `conv1` module).
    func firstConvolution(at key: String) throws -> any InputChannelAdaptable {
        let path = key.hasSuffix(".weight") ? String(key.dropLast(".weight".count)) : key
        guard let module = namedModules().first(where: { $0.key == path })?.module as? any InputChannelAdaptable else {
            throw ArchitectureError("\(architecture.rawValue): the first convolution '\(path)' cannot change its input channels")
        }
        return module
    }
}

/// The key conventions and tensor surgery behind ``Backbone/loadPretrained(from:classCount:inputChannels:generator:)``.
public enum PretrainedLoader {
    /// The first convolution and the classifier(s) of `architecture`, as module paths
    /// (``PretrainedConfig/firstConvKey`` and ``PretrainedConfig/classifierKeys``).
    static func keys(for architecture: Architecture) -> (firstConv: String, classifiers: [String]) {
        let config = architecture.pretrainedConfig
        return (config.firstConvKey, config.classifierKeys)
    }

    /// torchvision's DenseNet files keep pre-0.4 keys `….denselayerN.norm.1.weight`; torchvision
    /// renames them to `norm1.weight` on load (`densenet.py`, `_load_state_dict`), and so does Scalpel.
    public static func modernKey(_ key: String) -> String {
        guard key.contains(".denselayer") else { return key }
        var parts = key.split(separator: ".", omittingEmptySubsequences: false).map(String.init)
        guard parts.count >= 4, let layer = parts.lastIndex(where: { $0.hasPrefix("denselayer") }),
              layer + 3 == parts.count - 1,
              ["norm", "relu", "conv"].contains(parts[layer + 1]), ["1", "2"].contains(parts[layer + 2]),
              ["weight", "bias", "running_mean", "running_var"].contains(parts[layer + 3]) else { return key }
        parts[layer + 1] += parts[layer + 2]
        parts.remove(at: layer + 2)
        return parts.joined(separator: ".")
    }

    /// Whether a file's first-conv weight can become the model's for `inputChannels` channels.
    static func canAdapt(_ source: Tensor, to target: Tensor, inputChannels: Int) -> Bool {
        let (s, t) = (source.shape, target.shape)
        guard s.count == 4, t.count == 4, s[0] == t[0], s[2 ... 3] == t[2 ... 3], source.dtype == target.dtype else {
            return false
        }
        return s[1] == inputChannels || (inputChannels == 1 && s[1] % 3 == 0) || s[1] == 3
    }

    /// timm's `adapt_input_conv`: a pretrained first-conv weight `[O, I, kH, kW]` made
    /// `[O, inputChannels, kH, kW]`. One channel: the sum over the RGB axis (over each RGB triple when
    /// I is a multiple of 3); `C ≠ 3` channels from 3: the kernels repeated ⌈C/3⌉ times, cut to C and
    /// scaled by 3 / C, so a grey image repeated C times gives the RGB response. Computed in float32.
    ///
    /// - Throws: ``ArchitectureError`` when `I` cannot be adapted to `inputChannels`.
    public static func adaptInputConv(_ weight: Tensor, inputChannels: Int) throws -> Tensor {
        let shape = weight.shape
        guard shape.count == 4 else { throw ArchitectureError("first-conv weight must be 4-D, got \(shape)") }
        let channels = shape[1]
        if channels == inputChannels { return weight }
        let float = try weight.to(dtype: .float32)
        let adapted: Tensor
        if inputChannels == 1, channels > 3, channels % 3 == 0 {
            adapted = try float.reshaped(to: [shape[0], channels / 3, 3, shape[2], shape[3]]).sum(axes: [2])
        } else if inputChannels == 1, channels == 3 {
            adapted = try float.sum(axes: [1], keepDimensions: true)
        } else if channels == 3 {
            let repeats = (inputChannels + 2) / 3
            adapted = try float.repeated([1, repeats, 1, 1]).slice(axis: 1, start: 0, end: inputChannels)
                * (3.0 / Double(inputChannels))
        } else {
            throw ArchitectureError("cannot adapt a \(channels)-channel first convolution to \(inputChannels) channels")
        }
        return try adapted.to(dtype: weight.dtype).contiguous()
    }
}

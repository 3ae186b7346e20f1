// Scalpel — TorchOptim
// SPDX-License-Identifier: Apache-2.0
import Torch

/// The validated parameters of an optimizer: names, keys and tensors per group. Shared by every optimizer.
struct ParameterTable {
    let optimizer: String
    let names: [String]
    let keys: [[String]]
    let tensors: [[Tensor]]

    /// Checks that there is at least one group, no group is empty, keys are unique across groups, no
    /// tensor appears twice, and every tensor is a floating-point leaf (what the fused kernels update).
    init(_ groups: [ParameterGroup], optimizer: String) throws {
        self.optimizer = optimizer
        guard !groups.isEmpty else {
            throw OptimizerError.invalidParameters("\(optimizer) got no parameter groups")
        }
        var seenKeys: [String: String] = [:]
        var seenTensors: [ObjectIdentifier: String] = [:]
        for group in groups {
            guard !group.parameters.isEmpty else {
                throw OptimizerError.invalidParameters("\(optimizer) group '\(group.name)' has no parameters")
            }
            for (key, tensor) in group.parameters {
                if let other = seenKeys[key] {
                    throw OptimizerError.invalidParameters(
                        "\(optimizer): key '\(key)' appears twice (groups '\(other)' and '\(group.name)'); "
                            + "keys must be unique because the optimizer state is keyed by them")
                }
                seenKeys[key] = group.name
                if let other = seenTensors[ObjectIdentifier(tensor)] {
                    throw OptimizerError.invalidParameters(
                        "\(optimizer): the tensor of '\(key)' is also given as '\(other)'; "
                            + "a parameter may appear in only one group")
                }
                seenTensors[ObjectIdentifier(tensor)] = key
                guard tensor.dtype.isFloatingPoint else {
                    throw OptimizerError.invalidParameters(
                        "\(optimizer): '\(key)' holds \(tensor.dtype); only floating-point tensors can be optimized")
                }
                guard tensor.isLeaf else {
                    throw OptimizerError.invalidParameters(
                        "\(optimizer): '\(key)' is not a leaf tensor (it was computed by a recorded operation); "
                            + "optimize the tensor it was computed from, or a detached copy")
                }
            }
        }
        names = groups.map(\.name)
        keys = groups.map(\.keys)
        tensors = groups.map(\.tensors)
    }

    var groupCount: Int { names.count }

    /// The gradient of every parameter of group `group` that has one, as (index in the group, gradient),
    /// each checked against its parameter's shape, dtype and device.
    func gradients(ofGroup group: Int) throws -> [(index: Int, gradient: Tensor)] {
        var result: [(index: Int, gradient: Tensor)] = []
        for (index, parameter) in tensors[group].enumerated() {
            guard let gradient = try parameter.gradient() else { continue }
            let key = keys[group][index]
            if gradient.shape != parameter.shape {
                throw OptimizerError.invalidGradient(
                    key: key, reason: "shape \(gradient.shape) differs from the parameter's \(parameter.shape)")
            }
            if gradient.dtype != parameter.dtype {
                throw OptimizerError.invalidGradient(
                    key: key, reason: "dtype \(gradient.dtype) differs from the parameter's \(parameter.dtype)")
            }
            if gradient.device != parameter.device {
                throw OptimizerError.invalidGradient(
                    key: key, reason: "device \(gradient.device) differs from the parameter's \(parameter.device)")
            }
            result.append((index, gradient))
        }
        return result
    }

    /// Checks a saved configuration's groups against these: same count, and per group the same keys and
    /// shapes in the same order.
    func checkLayout(of saved: [OptimizerConfiguration.Group]) throws {
        guard saved.count == groupCount else {
            throw OptimizerError.stateMismatch(
                "\(optimizer) has \(groupCount) parameter group(s) \(names) but the state has \(saved.count) "
                    + "\(saved.map(\.name))")
        }
        for (group, record) in saved.enumerated() {
            let label = "group \(group) ('\(names[group])')"
            guard record.parameterKeys.count == keys[group].count,
                  record.parameterShapes.count == record.parameterKeys.count
            else {
                throw OptimizerError.stateMismatch(
                    "\(label) has \(keys[group].count) parameters but the state has \(record.parameterKeys.count)")
            }
            for index in keys[group].indices {
                let key = keys[group][index], savedKey = record.parameterKeys[index]
                guard key == savedKey else {
                    throw OptimizerError.stateMismatch(
                        "\(label) parameter \(index) is '\(key)' but the state has '\(savedKey)' there")
                }
                let shape = tensors[group][index].shape, savedShape = record.parameterShapes[index]
                guard shape == savedShape else {
                    throw OptimizerError.stateMismatch(
                        "'\(key)' has shape \(shape) but the state was saved for shape \(savedShape)")
                }
            }
        }
    }

    /// The group-level part of a configuration record (name, keys, shapes) for group `group`.
    func record(ofGroup group: Int, learningRate: Double, weightDecay: Double) -> OptimizerConfiguration.Group {
        OptimizerConfiguration.Group(name: names[group], parameterKeys: keys[group],
                                     parameterShapes: tensors[group].map(\.shape), learningRate: learningRate,
                                     weightDecay: weightDecay)
    }
}

/// Where and in which element type a set of tensors lives: the fused kernels take one such set per call.
struct DeviceAndType: Hashable {
    let device: Device
    let dtype: DType

    init(_ tensor: Tensor) {
        device = tensor.device
        dtype = tensor.dtype
    }
}

/// Splits `items` into runs of equal `key`, keeping the order of first appearance and the order within each.
func partitioned<Item, Key: Hashable>(_ items: [Item], by key: (Item) -> Key) -> [[Item]] {
    var order: [Key] = []
    var buckets: [Key: [Item]] = [:]
    for item in items {
        let k = key(item)
        if buckets[k] == nil { order.append(k) }
        buckets[k, default: []].append(item)
    }
    return order.map { buckets[$0]! }
}

/// A tensor shaped, typed and laid out like `parameter`, filled with zeros, outside autograd
/// (`torch.zeros_like(p, memory_format=torch.preserve_format)`).
func zerosPreservingLayout(of parameter: Tensor) throws -> Tensor {
    let result = try parameter.detached().clone()
    try result.fillInPlace(0)
    return result
}

/// Shared hyperparameter checks; `context` names the optimizer and group for messages.
enum Check {
    static func learningRate(_ value: Double, _ context: String) throws {
        guard value.isFinite, value >= 0 else {
            throw OptimizerError.invalidHyperparameter("\(context): learning rate \(value) must be finite and >= 0")
        }
    }

    static func weightDecay(_ value: Double, _ context: String) throws {
        guard value.isFinite, value >= 0 else {
            throw OptimizerError.invalidHyperparameter("\(context): weight decay \(value) must be finite and >= 0")
        }
    }

    static func nonNegative(_ value: Double, _ name: String, _ context: String) throws {
        guard value.isFinite, value >= 0 else {
            throw OptimizerError.invalidHyperparameter("\(context): \(name) \(value) must be finite and >= 0")
        }
    }

    static func beta(_ value: Double, index: Int, _ context: String) throws {
        guard value >= 0, value < 1 else {
            throw OptimizerError.invalidHyperparameter("\(context): beta\(index + 1) \(value) must be in [0, 1)")
        }
    }

    static func groupIndex(_ index: Int, count: Int, _ optimizer: String) throws {
        guard index >= 0, index < count else {
            throw OptimizerError.invalidParameters(
                "\(optimizer) has \(count) parameter group(s); there is no group \(index)")
        }
    }
}

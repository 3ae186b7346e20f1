// Scalpel — TorchNN
// SPDX-License-Identifier: Apache-2.0
import Torch

// Walking the module tree: full dotted keys, as PyTorch's `named_modules()`, `named_parameters()`
// and `named_buffers()` build them.
extension Module {
    /// Every module of the tree in pre-order (PyTorch's `named_modules()`), this one first under the key `""`.
    ///
    /// A module registered under several names appears once per name.
    public func namedModules() -> [(key: String, module: any Module)] {
        var result: [(key: String, module: any Module)] = []
        visitModules(prefix: "") { prefix, module in result.append((String(prefix.dropLast(prefix.isEmpty ? 0 : 1)), module)) }
        return result
    }

    /// Every parameter of the tree under its full key (`layer1.0.conv1.weight`), in PyTorch's order:
    /// a module's own parameters first, then its children's in registration order.
    ///
    /// A tensor shared by several modules is listed once, under its first key (as `named_parameters()`).
    public func parameters() -> [(key: String, tensor: Tensor)] {
        var seen = Set<ObjectIdentifier>()
        var result: [(key: String, tensor: Tensor)] = []
        visitModules(prefix: "") { prefix, module in
            for (name, tensor) in module.namedParameters where seen.insert(ObjectIdentifier(tensor)).inserted {
                result.append((prefix + name, tensor))
            }
        }
        return result
    }

    /// Every buffer of the tree under its full key (`bn1.running_mean`), in PyTorch's order.
    public func buffers() -> [(key: String, tensor: Tensor)] {
        var seen = Set<ObjectIdentifier>()
        var result: [(key: String, tensor: Tensor)] = []
        visitModules(prefix: "") { prefix, module in
            for (name, tensor) in module.namedBuffers where seen.insert(ObjectIdentifier(tensor)).inserted {
                result.append((prefix + name, tensor))
            }
        }
        return result
    }

    /// The parameters whose full key matches `filter`, in ``parameters()`` order.
    public func parameters(matching filter: ParameterFilter) -> [(key: String, tensor: Tensor)] {
        parameters().filter { filter.matches($0.key) }
    }

    /// Total number of parameter elements (`sum(p.numel() for p in model.parameters())`).
    public var parameterCount: Int {
        parameters().reduce(0) { $0 + $1.tensor.elementCount }
    }

    /// Number of parameter elements that currently require gradients.
    public var trainableParameterCount: Int {
        trainableParameters().reduce(0) { $0 + $1.tensor.elementCount }
    }

    /// Calls `body` for this module and every descendant in pre-order, with the key prefix that the
    /// module's own tensors get (`""` for the root, `"layer1.0."` below it). Checks local names on the way.
    func visitModules(prefix: String, _ body: (String, any Module) -> Void) {
        checkLocalNames(of: self, prefix: prefix)
        body(prefix, self)
        for (name, child) in namedChildren {
            child.visitModules(prefix: prefix + name + ".", body)
        }
    }
}

/// Stops on a local name that would make keys ambiguous: empty, containing ".", or used twice among one
/// module's parameters, buffers and children. Such a model is a programming error (tch-rs panics on the same).
func checkLocalNames(of module: any Module, prefix: String) {
    var names = Set<String>()
    let all = module.namedParameters.map(\.0) + module.namedBuffers.map(\.0) + module.namedChildren.map(\.0)
    for name in all {
        precondition(isValidLocalName(name),
                     "invalid local name '\(name)' under '\(prefix)' in \(type(of: module)): names must be non-empty and contain no '.'")
        precondition(names.insert(name).inserted,
                     "duplicate local name '\(name)' under '\(prefix)' in \(type(of: module)): keys must be unique")
    }
}

/// Whether `name` can be one component of a dotted state-dict key.
func isValidLocalName(_ name: String) -> Bool {
    !name.isEmpty && !name.contains(".")
}

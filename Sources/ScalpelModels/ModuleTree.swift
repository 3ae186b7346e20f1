// Scalpel — ScalpelModels
// SPDX-License-Identifier: Apache-2.0
import Torch
import TorchNN

/// A module with no computation of its own that holds modules under dotted paths, so a model made of
/// some of another model's modules keeps their original state-dict keys.
///
/// `ModuleTree(["conv1": conv, "layer1.0": block])` has keys `conv1.weight`, `layer1.0.conv1.weight`, ….
public final class ModuleTree: Module {
    private var children: [(String, any Module)] = []

    /// - Parameter paths: (dotted path, module) in registration order.
    public init(_ paths: [(String, any Module)]) {
        var groups: [(String, [(String, any Module)])] = []
        for (path, module) in paths {
            let parts = path.split(separator: ".", maxSplits: 1).map(String.init)
            if parts.count == 1 {
                groups.append((parts[0], [("", module)]))
            } else if let index = groups.firstIndex(where: { $0.0 == parts[0] }) {
                groups[index].1.append((parts[1], module))
            } else {
                groups.append((parts[0], [(parts[1], module)]))
            }
        }
        children = groups.map { name, members in
            if members.count == 1, members[0].0.isEmpty { return (name, members[0].1) }
            precondition(!members.contains { $0.0.isEmpty }, "module path '\(name)' is both a module and a parent")
            return (name, ModuleTree(members))
        }
    }

    public var namedChildren: [(String, any Module)] { children }
}

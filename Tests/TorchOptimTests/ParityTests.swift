// Scalpel — TorchOptimTests
// SPDX-License-Identifier: Apache-2.0
import Testing
import Torch
import TorchOptim
import TorchTestSupport

/// Scalpel's fused optimizers against PyTorch's default (non-fused) implementation, 20 steps of every
/// configuration in `scripts/fixtures/fixtures_optim.py`.
@Suite("Parity with PyTorch's optimizers")
struct ParityTests {
    /// Pure optimizer parity: each step uses the gradient PyTorch stepped with, so only the update
    /// arithmetic is compared. Fused and non-fused kernels differ only in rounding: rtol 1e-5, atol 1e-6
    /// (measured: at most 6e-8 absolute after 20 steps; plain SGD is bit-identical).
    @Test("Stored gradients, parameters after steps 1, 5 and 20", arguments: OptimizerCase.all)
    func storedGradients(_ configuration: OptimizerCase) throws {
        let model = try TinyModel()
        let optimizer = try configuration.make(model)
        let fixture = try configuration.fixture()
        for step in 1 ... 20 {
            let gradients = try Dictionary(uniqueKeysWithValues: TinyModel.keys.map {
                ($0, try fixture.required("grad.\(step).\($0)"))
            })
            try model.setGradients(gradients)
            try optimizer.step()
            if savedSteps.contains(step) {
                for key in TinyModel.keys {
                    assertClose(model[key], try fixture.required("param.\(step).\(key)"), rtol: 1e-5, atol: 1e-6,
                                "\(configuration.name) step \(step) \(key)")
                }
            }
        }
    }

    /// End to end: Swift computes the loss and its gradients with the same ops, then steps. Rounding
    /// differences could feed back through the gradients, but they stay as small as with stored
    /// gradients (at most 1e-7 absolute after 20 steps when measured), so the bound is the same:
    /// rtol 1e-5, atol 1e-6 on parameters and losses.
    @Test("End to end: losses at every step, parameters after steps 1, 5 and 20", arguments: OptimizerCase.all)
    func endToEnd(_ configuration: OptimizerCase) throws {
        let model = try TinyModel()
        let optimizer = try configuration.make(model)
        let fixture = try configuration.fixture()
        var losses: [Tensor] = []
        for step in 1 ... 20 {
            losses.append(try model.computeGradients(optimizer).detached())
            try optimizer.step()
            if savedSteps.contains(step) {
                for key in TinyModel.keys {
                    assertClose(model[key], try fixture.required("param.\(step).\(key)"), rtol: 1e-5, atol: 1e-6,
                                "\(configuration.name) step \(step) \(key)")
                }
            }
        }
        assertClose(try Tensor.stack(losses), try fixture.required("loss"), rtol: 1e-5, atol: 1e-6,
                    "\(configuration.name) losses")
    }

    /// The first gradient comes from the same forward pass on both sides (no optimizer step yet).
    @Test("The Swift loss reproduces PyTorch's first gradients")
    func firstGradients() throws {
        let model = try TinyModel()
        let optimizer = try SGD([ParameterGroup(parameters: model.allParameters)])
        let fixture = try OptimizerCase.all[0].fixture()
        let loss = try model.computeGradients(optimizer)
        assertClose(loss, try fixture.required("loss").select(axis: 0, index: 0), rtol: 1e-6, atol: 1e-7, "loss")
        for key in TinyModel.keys {
            let gradient = try #require(try model[key].gradient())
            assertClose(gradient, try fixture.required("grad.1.\(key)"), rtol: 1e-5, atol: 1e-7, key)
        }
    }
}

// Scalpel — ScalpelTraining
// SPDX-License-Identifier: Apache-2.0
import Torch
import TorchNN
import TorchOptim

/// How the gradients of several training processes are combined (data-parallel training).
public protocol GradientExchange: AnyObject {
    /// This process's index, 0 ..< ``worldSize``.
    var rank: Int { get }
    var worldSize: Int { get }
    /// Replaces each tensor, in place, by its mean over all processes weighted by `weight` (a
    /// process's sample count: Σ wᵣ·tᵣ / Σ wᵣ); returns only once the exchange has completed, so the
    /// values may be used right away.
    func average(_ tensors: [Tensor], weight: Double) throws
    /// Overwrites each tensor, in place, with rank 0's values.
    func broadcastFromRoot(_ tensors: [Tensor]) throws
    /// The element-wise sum of `values` over all processes.
    func sum(_ values: [Double]) throws -> [Double]
    /// Returns once every process has reached it.
    func barrier() throws
}

/// One optimisation step, and everything about *how* it computes: the device, the memory format, the
/// precision (autocast, with dynamic loss scaling for fp16), gradient clipping and the gradient
/// exchange between processes. The ``Trainer`` decides *what* to train and loops; the step computes.
///
/// At fp32 on one process, a step is exactly: forward, loss (+ regulariser), zero the gradients,
/// backward, clip, adjust the rates, update.
public final class TrainingStep {
    public let device: Device
    /// The layout of 4-D inputs and weights (channels-last is faster for CPU convolutions).
    public let memoryFormat: MemoryFormat
    public let precision: Precision
    /// The fp16 loss scaler (nil for fp32 and bf16).
    public private(set) var scaler: GradientScaler?
    /// Averages gradients over processes after backward (nil: one process).
    public let exchange: (any GradientExchange)?

    /// What one step did.
    public struct Outcome: Sendable {
        /// The batch's mean task loss (without the regulariser), as computed on this process.
        public var loss: Double
        /// False when fp16's gradients overflowed and the update was skipped.
        public var applied: Bool
    }

    /// Thrown when the task loss is NaN or infinite; the trainer names the epoch and batch.
    public struct NonFiniteLoss: Error {
        public var value: Double
    }

    public init(device: Device, memoryFormat: MemoryFormat = .contiguous, precision: Precision = .fp32,
                exchange: (any GradientExchange)? = nil) throws {
        try device.validate()
        try precision.validate(on: device)
        self.device = device
        self.memoryFormat = memoryFormat
        self.precision = precision
        self.exchange = exchange
        scaler = precision.needsLossScaling ? try GradientScaler() : nil
    }

    /// Continues the fp16 loss scaler from a checkpoint's `state` (nothing to do without a scaler or a
    /// saved state).
    public func restoreLossScaler(_ state: GradientScaler.State?) throws {
        guard let state, scaler != nil else { return }
        do { try scaler!.restore(state) } catch let error as TorchError {
            throw TrainingError.checkpoint("the checkpoint's loss scaler: \(error.message); start over with --force")
        }
    }

    /// Moves `model` to the device and its 4-D weights to the memory format; with an exchange, every
    /// process then starts from rank 0's parameters and buffers.
    public func prepare(_ model: any Module) throws {
        try model.move(to: device)
        try model.setMemoryFormat(memoryFormat)
        if let exchange, exchange.worldSize > 1 {
            try exchange.broadcastFromRoot(model.namedTensors().map(\.tensor))
        }
    }

    /// A host batch on the device, 4-D inputs in the memory format.
    public func place(_ input: Tensor) throws -> Tensor {
        var placed = try input.to(device: device)
        if placed.shape.count == 4, memoryFormat != .contiguous, placed.shape[0] > 0 {
            placed = try placed.contiguous(memoryFormat)
        }
        return placed
    }

    /// Runs `forward` under this step's precision; the result is float32 whatever autocast computed in.
    public func forward(_ input: Tensor, through forward: (Tensor) throws -> Tensor) throws -> Tensor {
        let output = try withAutocast(precision, device: device) { try forward(input) }
        return output.dtype == .float32 || !output.dtype.isFloatingPoint ? output : try output.to(dtype: .float32)
    }

    /// One step on a batch: forward, `loss`, plus `penalty` (a regulariser, or nil), backward,
    /// gradient exchange, unscaling, clipping to `clipNorm`, `adjustRates` (rates that depend on the
    /// gradients, such as Auto-RGN's), then the optimizer's update.
    ///
    /// - Parameters:
    ///   - input: the batch on the device (see ``place(_:)``), shape `[N, …]`.
    ///   - samples: N, this process's share of the global batch (weighs its gradients in the exchange).
    ///   - parameters: the trainable parameters (what is exchanged, unscaled and clipped).
    /// - Throws: ``NonFiniteLoss`` before any gradient is computed when the loss is NaN or infinite.
    @discardableResult
    public func callAsFunction(input: Tensor, forward: (Tensor) throws -> Tensor, loss: (Tensor) throws -> Tensor,
                               samples: Int = 1, penalty: () throws -> Tensor? = { nil }, optimizer: any Optimizer,
                               parameters: [Tensor],
                               clipNorm: Double? = nil, adjustRates: () throws -> Void = {}) throws -> Outcome {
        let logits = try self.forward(input, through: forward)
        var value = try loss(logits)
        let scalar = try value.item()
        if let penalty = try penalty() { value = try value + penalty }
        guard scalar.isFinite else { throw NonFiniteLoss(value: scalar) }
        try optimizer.zeroGradients()
        if let scaler { try scaler.scaled(value).backward() } else { try value.backward() }
        if let exchange, exchange.worldSize > 1 {
            try exchange.average(parameters.compactMap { try $0.gradient() }, weight: Double(samples))
        }
        var finite = true
        if let scaler { finite = try scaler.unscale(parameters) }
        if finite {
            if let clipNorm { try clipGradientNorm(parameters, maxNorm: clipNorm) }
            try adjustRates()
            try optimizer.step()
        }
        scaler?.update(gradientsFinite: finite)
        return Outcome(loss: scalar, applied: finite)
    }
}

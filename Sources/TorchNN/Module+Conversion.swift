// Scalpel — TorchNN
// SPDX-License-Identifier: Apache-2.0
import Torch

// Moving and converting a whole model in place (`model.to(device)`, `model.to(dtype)`).
extension Module {
    /// Moves every parameter, buffer and accumulated gradient to `device`, in place.
    ///
    /// Tensors keep their identity (PyTorch's `param.data = param.to(device)`), so references held
    /// elsewhere, such as an optimizer's parameter list, see the move. Nothing else moves the model.
    ///
    /// - Throws: ``TorchError`` when the device is unavailable or memory runs out; tensors moved before
    ///   the failure stay moved.
    public func move(to device: Device) throws {
        try device.validate()
        try convertTensors { try $0.to(device: device) }
    }

    /// Converts every floating-point parameter, buffer and gradient to `dtype`, in place; integer
    /// buffers such as `num_batches_tracked` keep their dtype, as in PyTorch's `module.to(dtype)`.
    ///
    /// - Throws: ``TorchError`` when `dtype` is not a floating-point type, or on a libtorch failure.
    public func to(dtype: DType) throws {
        guard dtype.isFloatingPoint else {
            throw TorchError(kind: .invalidType,
                             message: "a module can only be converted to a floating-point dtype, not \(dtype)",
                             operation: "to(dtype:)")
        }
        try convertTensors { $0.dtype.isFloatingPoint ? try $0.to(dtype: dtype) : $0 }
    }

    /// Stores every 4-D parameter and buffer in `format` (`.channelsLast`: NHWC, what oneDNN's CPU
    /// convolutions prefer), in place; tensors keep their identity, shape and values.
    public func setMemoryFormat(_ format: MemoryFormat) throws {
        guard format != .preserve else { return }
        for (_, tensor) in namedTensors() where tensor.shape.count == 4 {
            try tensor.setData(tensor.contiguous(format))
        }
    }

    private func convertTensors(_ convert: (Tensor) throws -> Tensor) throws {
        for (_, tensor) in parameters() + buffers() {
            try replaceData(of: tensor, with: convert(tensor))
            if let gradient = try tensor.gradient() {
                try replaceData(of: gradient, with: convert(gradient))
            }
        }
    }

    private func replaceData(of tensor: Tensor, with converted: Tensor) throws {
        if converted.device != tensor.device || converted.dtype != tensor.dtype {
            try tensor.setData(converted)
        }
    }
}

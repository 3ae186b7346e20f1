// Scalpel — ScalpelTraining
// SPDX-License-Identifier: Apache-2.0
import Torch

/// A c10d process group exchanges gradients as one flat float32 bucket per step: one all-reduce
/// whatever the number of tensors, and any layout (channels-last gradients included).
extension ProcessGroup: GradientExchange {
    public func average(_ tensors: [Tensor], weight: Double) throws {
        guard worldSize > 1, !tensors.isEmpty else { return }
        // The weighted tensors and, last, the weight itself: one all-reduce gives Σ wᵣ·tᵣ and Σ wᵣ.
        let flat = try tensors.map { try ($0.to(dtype: .float32).to(device: .cpu) * weight).reshaped(to: [-1]) }
        let bucket = try Tensor.cat(flat + [Tensor([Float(weight)], shape: [1])])
        try allReduceSum([bucket])
        let total = try bucket.slice(axis: 0, start: bucket.elementCount - 1).item()
        guard total > 0 else {
            throw TorchError(kind: .invalidValue, message: "no process had a sample in this step", operation: "ProcessGroup.average")
        }
        try bucket.multiplyInPlace(by: 1 / total)
        var offset = 0
        for tensor in tensors {
            let count = tensor.elementCount
            let piece = try bucket.slice(axis: 0, start: offset, end: offset + count).reshaped(to: tensor.shape)
            try tensor.copyInPlace(from: piece.to(device: tensor.device).to(dtype: tensor.dtype))
            offset += count
        }
    }

    public func broadcastFromRoot(_ tensors: [Tensor]) throws {
        guard worldSize > 1 else { return }
        for tensor in tensors {
            if tensor.device == .cpu {
                try broadcast([tensor], from: 0)
            } else {
                let host = try tensor.to(device: .cpu)
                try broadcast([host], from: 0)
                try tensor.copyInPlace(from: host.to(device: tensor.device))
            }
        }
    }

    public func sum(_ values: [Double]) throws -> [Double] {
        guard worldSize > 1, !values.isEmpty else { return values }
        let tensor = try Tensor(values, shape: [values.count])
        try allReduceSum([tensor])
        return try tensor.hostArray(of: Double.self)
    }
}

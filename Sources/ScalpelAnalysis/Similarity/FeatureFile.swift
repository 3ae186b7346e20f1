// Scalpel — ScalpelAnalysis
// SPDX-License-Identifier: Apache-2.0
import Foundation
import ScalpelData
import Torch

/// Activations computed elsewhere: a `.npy` array or one tensor of a `.safetensors` file, rows = datapoints
/// ([N, F] features or [N, C, H, W] maps).
public enum FeatureFile {
    /// Files larger than this are refused before reading (the whole file is read into memory).
    public static let largestFileBytes = 8 << 30

    /// Reads `url`; `key` picks the tensor of a `.safetensors` file holding several.
    public static func read(_ url: URL, key: String? = nil) throws -> Tensor {
        let path = url.path
        let attributes: [FileAttributeKey: Any]
        do { attributes = try FileManager.default.attributesOfItem(atPath: path) } catch {
            throw SimilarityError("\(path): cannot read the file (\(error.localizedDescription))")
        }
        let size = (attributes[.size] as? NSNumber)?.intValue ?? 0
        guard size <= largestFileBytes else {
            throw SimilarityError("\(path): \(size >> 20) MiB is more than the \(largestFileBytes >> 30) GiB accepted; " +
                                  "subsample the datapoints or pool the maps first")
        }
        let tensor: Tensor
        switch url.pathExtension.lowercased() {
        case "npy":
            let array = try NpyArray([UInt8](try Data(contentsOf: url)), source: path)
            guard array.dtype == .float32 || array.dtype == .float64 else {
                throw SimilarityError("\(path): features must be float32 or float64; the array holds \(array.dtype.rawValue)")
            }
            tensor = try array.data.withUnsafeBytes {
                try Tensor.fromBytes($0, shape: array.shape, dtype: array.dtype == .float32 ? .float32 : .float64)
            }
        case "safetensors":
            let tensors = try SafeTensors.read(contentsOf: url).tensors
            if let key {
                guard let chosen = tensors[key] else {
                    throw SimilarityError("\(path): no tensor '\(key)'; it holds \(tensors.keys.joined(separator: ", "))")
                }
                tensor = chosen
            } else {
                guard tensors.count == 1, let only = tensors[tensors.keys[0]] else {
                    throw SimilarityError("\(path): holds \(tensors.count) tensors (\(tensors.keys.prefix(10).joined(separator: ", "))); " +
                                          "name one with --key")
                }
                tensor = only
            }
        default:
            throw SimilarityError("\(path): unknown feature file type; give a .npy or .safetensors file (rows = datapoints)")
        }
        guard [DType.float32, .float64, .float16, .bfloat16].contains(tensor.dtype) else {
            throw SimilarityError("\(path): features must be floating point; found \(tensor.dtype)")
        }
        switch tensor.rank {
        case 1: return try tensor.unsqueezed(axis: 1)
        case 2, 4: return tensor
        default:
            throw SimilarityError("\(path): features must be [datapoints, features] or [N, C, H, W]; found shape \(tensor.shape)")
        }
    }
}

// Scalpel — Torch
// SPDX-License-Identifier: Apache-2.0
internal import CTorch

extension Tensor {
    /// Copies the elements, row-major, into a Swift array. Copies device → host and synchronises.
    ///
    /// - Throws: ``TorchError`` when `Element` does not match ``dtype`` (convert first with
    ///   ``to(dtype:)``; nothing is converted implicitly).
    public func hostArray<Element: TensorElement>(of type: Element.Type = Element.self) throws -> [Element] {
        guard Element.dtype == dtype else {
            throw TorchError(kind: .invalidType,
                             message: "tensor holds \(dtype) but \(Element.self) (\(Element.dtype)) was asked for; convert with to(dtype:) first",
                             operation: "hostArray(of:)")
        }
        let count = elementCount
        return try [Element](unsafeUninitializedCapacity: count) { buffer, initialized in
            let bytes = UnsafeMutableRawBufferPointer(buffer)
            try shimCall("hostArray(of:)") { ctorch_copy_to_host(rawHandle, bytes.baseAddress, bytes.count, $0) }
            initialized = count
        }
    }

    /// The value of a one-element tensor, as a Double.
    public func item() throws -> Double {
        var value = 0.0
        try shimCall { ctorch_item(rawHandle, &value, $0) }
        return value
    }

    /// Copies the raw bytes (row-major, this tensor's dtype) to the host.
    public func hostBytes() throws -> [UInt8] {
        let count = elementCount * dtype.elementSize
        return try [UInt8](unsafeUninitializedCapacity: count) { buffer, initialized in
            try shimCall("hostBytes()") { ctorch_copy_to_host(rawHandle, buffer.baseAddress, count, $0) }
            initialized = count
        }
    }
}

// Scalpel — Torch
// SPDX-License-Identifier: Apache-2.0
import Foundation

/// The bounds Scalpel puts on every size, count and depth read from an untrusted file, so a crafted
/// file is refused with a clear error instead of exhausting memory or the stack.
///
/// Each limit has a documented default (see `docs/security.md`) and can be raised for one process by an
/// environment variable, named in every refusal: `SCALPEL_MAX_IMAGE_SIDE=1000000 scalpel train …`.
public struct InputLimits: Sendable, Equatable {
    /// Pixels per side of a decoded image (JPEG, PNG, TIFF, BMP, DICOM), checked from the header.
    public var imageSide: Int = 1 << 18
    /// Pixels of a decoded image in all (width × height × frames).
    public var imagePixels: Int = 1 << 28
    /// Bytes one compressed entry (an `.npz` array) may inflate to.
    public var decompressedBytes: Int = 1 << 32
    /// Declared uncompressed size over compressed size of one entry (DEFLATE cannot exceed about 1032).
    public var compressionRatio: Int = 1100
    /// Entries in one zip archive (`.npz`, `.pth`).
    public var zipEntries: Int = 1 << 16
    /// Nesting of tuples, lists and dicts in a pickle (`.pth`); a state dict needs fewer than 10.
    public var pickleDepth: Int = 100
    /// Items in one pickle container, and values on the pickle stack.
    public var pickleItems: Int = 1 << 24
    /// Nesting of DICOM sequences.
    public var dicomSequenceDepth: Int = 32
    /// Class names in a model description (`model.json`) or a label column.
    public var classCount: Int = 100_000

    public init() {}

    /// The environment variable that raises each limit.
    public enum Name: String, Sendable, CaseIterable {
        case imageSide = "SCALPEL_MAX_IMAGE_SIDE"
        case imagePixels = "SCALPEL_MAX_IMAGE_PIXELS"
        case decompressedBytes = "SCALPEL_MAX_DECOMPRESSED_BYTES"
        case compressionRatio = "SCALPEL_MAX_COMPRESSION_RATIO"
        case zipEntries = "SCALPEL_MAX_ZIP_ENTRIES"
        case pickleDepth = "SCALPEL_MAX_PICKLE_DEPTH"
        case pickleItems = "SCALPEL_MAX_PICKLE_ITEMS"
        case dicomSequenceDepth = "SCALPEL_MAX_DICOM_SEQUENCE_DEPTH"
        case classCount = "SCALPEL_MAX_CLASSES"
    }

    private static func keyPath(_ name: Name) -> WritableKeyPath<InputLimits, Int> {
        switch name {
        case .imageSide: \.imageSide
        case .imagePixels: \.imagePixels
        case .decompressedBytes: \.decompressedBytes
        case .compressionRatio: \.compressionRatio
        case .zipEntries: \.zipEntries
        case .pickleDepth: \.pickleDepth
        case .pickleItems: \.pickleItems
        case .dicomSequenceDepth: \.dicomSequenceDepth
        case .classCount: \.classCount
        }
    }

    /// The value of one limit.
    public subscript(name: Name) -> Int {
        get { self[keyPath: Self.keyPath(name)] }
        set { self[keyPath: Self.keyPath(name)] = newValue }
    }

    /// The defaults, with each limit whose variable is set to a positive integer in `environment` replaced.
    /// A variable that is not a positive integer is ignored (the default stays).
    public init(environment: [String: String]) {
        self.init()
        for name in Name.allCases {
            if let text = environment[name.rawValue], let value = Int(text.trimmingCharacters(in: .whitespaces)), value > 0 {
                self[name] = value
            }
        }
    }

    /// The limits of this process: the defaults, raised or lowered by `SCALPEL_MAX_*` variables.
    public static let current = InputLimits(environment: ProcessInfo.processInfo.environment)

    /// The refusal text for a value over a limit: `"<what> is <value>, over the limit of <limit>
    /// (raise it with SCALPEL_MAX_…=N if the file is trusted)"`.
    public func refusal(_ what: String, _ value: some CustomStringConvertible, _ name: Name) -> String {
        "\(what) is \(value), over the limit of \(self[name]) (raise it with \(name.rawValue)=N if the file is trusted)"
    }

    /// The most threads (libtorch's pool, data-loading workers) one process may ask for: 4 per core, at
    /// least 16. More only slows the machine down and, in the tens of thousands, stops other processes
    /// from starting.
    public static var maximumThreads: Int { Swift.max(16, 4 * ProcessInfo.processInfo.activeProcessorCount) }

    /// The product of `factors`, or nil when it overflows `Int` or a factor is negative.
    public static func checkedProduct(_ factors: some Sequence<Int>) -> Int? {
        var product = 1
        for factor in factors {
            guard factor >= 0 else { return nil }
            let (next, overflow) = product.multipliedReportingOverflow(by: factor)
            if overflow { return nil }
            product = next
        }
        return product
    }
}

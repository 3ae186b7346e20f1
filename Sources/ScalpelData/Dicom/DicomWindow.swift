// Scalpel — ScalpelData
// SPDX-License-Identifier: Apache-2.0
import CDicom

/// How a monochrome DICOM frame's modality values (after rescale slope/intercept) become display levels,
/// with the linear VOI function of DICOM PS3.3 C.11.2.1.2. Colour frames ignore it.
public enum DicomWindow: Sendable, Equatable {
    /// The file's first WindowCenter/WindowWidth when it has one, else ``minMax``.
    case fromFile
    /// The frame's smallest modality value to black and its largest to white.
    case minMax
    /// An explicit window; `width` must be finite and at least 1 (DICOM's smallest window).
    case explicit(center: Double, width: Double)

    /// The C options; throws when an explicit window is invalid.
    func options(frame: Int, source: String) throws -> scalpel_dicom_options {
        var options = scalpel_dicom_options()
        options.frame = Int32(clamping: frame)
        switch self {
        case .fromFile:
            options.window_mode = Int32(SCALPEL_DICOM_WINDOW_FROM_FILE)
        case .minMax:
            options.window_mode = Int32(SCALPEL_DICOM_WINDOW_MIN_MAX)
        case .explicit(let center, let width):
            guard center.isFinite, width.isFinite, width >= 1 else {
                throw ImageDecodingError(
                    file: source,
                    reason: "cannot use the window centre \(center), width \(width): give a finite centre and a width of at least 1")
            }
            options.window_mode = Int32(SCALPEL_DICOM_WINDOW_EXPLICIT)
            options.window_center = center
            options.window_width = width
        }
        return options
    }
}

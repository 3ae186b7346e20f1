// Scalpel — ScalpelData
// SPDX-License-Identifier: Apache-2.0
import CDicom

/// The header fields of a DICOM file that a dataset needs. Text fields are empty when the file lacks them.
public struct DicomHeader: Sendable, Equatable {
    /// PatientID (0010,0020).
    public var patientID: String
    /// StudyInstanceUID (0020,000D).
    public var studyUID: String
    /// Modality (0008,0060), e.g. "CT", "CR", "MR".
    public var modality: String
    /// Rows (0028,0010).
    public var rows: Int
    /// Columns (0028,0011).
    public var columns: Int
    /// SamplesPerPixel (0028,0002): 1 monochrome, 3 colour.
    public var samplesPerPixel: Int
    /// BitsAllocated (0028,0100).
    public var bitsAllocated: Int
    /// BitsStored (0028,0101).
    public var bitsStored: Int
    /// PixelRepresentation (0028,0103) is 1: stored values are two's complement.
    public var isSigned: Bool
    /// PhotometricInterpretation (0028,0004), e.g. "MONOCHROME2", "RGB".
    public var photometric: String
    /// RescaleSlope (0028,1053); 1 when absent.
    public var rescaleSlope: Double
    /// RescaleIntercept (0028,1052); 0 when absent.
    public var rescaleIntercept: Double
    /// The first WindowCenter (0028,1050), when the file has a window.
    public var windowCenter: Double?
    /// The first WindowWidth (0028,1051), when the file has a window.
    public var windowWidth: Double?
    /// NumberOfFrames (0028,0008); 1 when absent.
    public var frames: Int
    /// Whether the file has PixelData (7FE0,0010).
    public var hasPixelData: Bool
    /// TransferSyntaxUID (0002,0010).
    public var transferSyntax: String

    init(_ header: scalpel_dicom_header) {
        patientID = Self.text(header.patient_id)
        studyUID = Self.text(header.study_uid)
        modality = Self.text(header.modality)
        rows = Int(header.rows)
        columns = Int(header.columns)
        samplesPerPixel = Int(header.samples_per_pixel)
        bitsAllocated = Int(header.bits_allocated)
        bitsStored = Int(header.bits_stored)
        isSigned = header.pixel_representation == 1
        photometric = Self.text(header.photometric)
        rescaleSlope = header.rescale_slope
        rescaleIntercept = header.rescale_intercept
        windowCenter = header.has_window != 0 ? header.window_center : nil
        windowWidth = header.has_window != 0 ? header.window_width : nil
        frames = Int(header.frames)
        hasPixelData = header.has_pixel_data != 0
        transferSyntax = Self.text(header.transfer_syntax)
    }

    /// A fixed C character array as a Swift string (up to its first NUL).
    private static func text<T>(_ tuple: T) -> String {
        withUnsafeBytes(of: tuple) { raw in
            String(decoding: raw.prefix { $0 != 0 }, as: UTF8.self)
        }
    }
}

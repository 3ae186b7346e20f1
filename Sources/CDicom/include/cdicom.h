// Scalpel — CDicom: DICOM pixel data through DCMTK, behind a pure-C interface.
// SPDX-License-Identifier: Apache-2.0
#ifndef CDICOM_H
#define CDICOM_H
#ifdef __cplusplus
extern "C" {
#endif

/// DCMTK's version string, e.g. "3.6.7".
const char *scalpel_dicom_toolkit_version(void);

#ifdef __cplusplus
}
#endif
#endif

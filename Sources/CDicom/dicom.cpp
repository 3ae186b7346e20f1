// Scalpel — CDicom
// SPDX-License-Identifier: Apache-2.0
#include "cdicom.h"
#include <dcmtk/dcmdata/dcuid.h>

extern "C" const char *scalpel_dicom_toolkit_version(void) { return OFFIS_DCMTK_VERSION_STRING; }

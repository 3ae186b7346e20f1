// Scalpel — ScalpelDownload
// SPDX-License-Identifier: Apache-2.0
// Downloads with resume and checksum checks, shared by the weights cache and the dataset fetchers.

#!/usr/bin/env python3
# Scalpel — writes the committed seed corpus of the fuzzers (fuzz/corpus/<target>/): small valid files of
# each format, made by numpy and torch, plus the hostile shapes of issue 14 (overflowing shapes, deflate
# bombs, absurd sizes, deep nesting). Run from the repository root: .deps/python/bin/python scripts/fuzz/make_corpus.py
# SPDX-License-Identifier: Apache-2.0
import io
import json
import os
import shutil
import struct
import zipfile
import zlib

import numpy as np
import torch

ROOT = "fuzz/corpus"


def put(target, name, data):
    os.makedirs(os.path.join(ROOT, target), exist_ok=True)
    with open(os.path.join(ROOT, target, name), "wb") as f:
        f.write(data)


def npy(array):
    buffer = io.BytesIO()
    np.save(buffer, array)
    return buffer.getvalue()


def npz(compressed, **arrays):
    buffer = io.BytesIO()
    (np.savez_compressed if compressed else np.savez)(buffer, **arrays)
    return buffer.getvalue()


def npy_header(descr, shape):
    header = "{'descr': '%s', 'fortran_order': False, 'shape': %s, }" % (descr, shape)
    header += " " * ((64 - (10 + len(header) + 1) % 64) % 64) + "\n"
    return b"\x93NUMPY\x01\x00" + struct.pack("<H", len(header)) + header.encode()


def stored_zip(entries, declared=None):
    """A zip with the given (name, bytes); `declared` overrides each entry's uncompressed size (deflated)."""
    out, directory = b"", b""
    for index, (name, data) in enumerate(entries):
        method = 8 if declared else 0
        payload = zlib.compress(data)[2:-4] if declared else data
        size = declared[index] if declared else len(data)
        common = struct.pack("<HHHIIIIHH", 20, 0, method, 0, 0, len(payload), size, len(name), 0)
        directory += b"PK\x01\x02" + struct.pack("<H", 20) + common + struct.pack("<HHHII", 0, 0, 0, 0, len(out)) + name.encode()
        out += b"PK\x03\x04" + common + name.encode() + payload
    return out + directory + b"PK\x05\x06" + struct.pack("<HHHHIIH", 0, 0, len(entries), len(entries), len(directory), len(out), 0)


def main():
    shutil.rmtree(ROOT, ignore_errors=True)
    images = np.arange(2 * 4 * 4, dtype=np.uint8).reshape(2, 4, 4)
    labels = np.array([[0], [1]], dtype=np.uint8)
    # npy
    put("npy", "u1.npy", npy(images))
    put("npy", "i8.npy", npy(np.array([5, -1], dtype=np.int64)))
    put("npy", "f4.npy", npy(np.array([[1.5, 2.0]], dtype=np.float32)))
    put("npy", "overflow-shape.npy", npy_header("<f8", "(1099511627776, 1099511627776)"))
    # npz and zip
    for compressed in (False, True):
        data = npz(compressed, train_images=images, train_labels=labels)
        put("npz", f"medmnist-{'deflated' if compressed else 'stored'}.npz", data)
        put("zip", f"npz-{'deflated' if compressed else 'stored'}.zip", data)
    put("npz", "absurd-label.npz", npz(False, train_images=images[:1], train_labels=np.array([[10**12]], dtype=np.int64)))
    put("npz", "deflate-bomb.npz", stored_zip([("x.npy", npy(np.zeros(1 << 16, dtype=np.uint8)))], declared=[0xFFFFFFF0]))
    # pth (both formats), and the deep pickles
    state = {"w": torch.arange(6, dtype=torch.float32).reshape(2, 3), "b": torch.tensor([1, 2], dtype=torch.int64)}
    for legacy in (False, True):
        buffer = io.BytesIO()
        torch.save(state, buffer, _use_new_zipfile_serialization=not legacy)
        put("pth", f"state-{'legacy' if legacy else 'zip'}.pth", buffer.getvalue())
        if not legacy:
            put("zip", "state.pth", buffer.getvalue())
    deep = b"\x80\x02)" + b"\x85" * 3000 + b"."
    put("pth", "deep-tuples-zip.pth", stored_zip([("archive/data.pkl", deep), ("archive/byteorder", b"little")]))
    with open("Tests/TorchTests/Fixtures/serialization_legacy_header.bin", "rb") as f:
        put("pth", "deep-lists-legacy.pth", f.read() + b"\x80\x02" + b"]" * 3000 + b"a" * 2999 + b".")
    # safetensors
    body = struct.pack("<6f", *range(6))
    header = json.dumps({"w": {"dtype": "F32", "shape": [2, 3], "data_offsets": [0, 24]}, "__metadata__": {"a": "b"}}).encode()
    put("safetensors", "small.safetensors", struct.pack("<Q", len(header)) + header + body)
    huge = json.dumps({"w": {"dtype": "F32", "shape": [2**40, 2**40], "data_offsets": [0, 24]}}).encode()
    put("safetensors", "overflow-shape.safetensors", struct.pack("<Q", len(huge)) + huge + body)
    # CSV manifests
    put("csv", "manifest.csv", b"path,label,split,patient\na/1.png,A,train,p1\n\"b,2.png\",a,val,p2\n\"c\"\"3\"\".png\",B,test,p1\n")
    put("csv", "bom-crlf.csv", b"\xef\xbb\xbfpath,label\r\nx.png,1\r\ny.png,0\r\n")
    # YAML configs
    put("yaml", "config.yaml", b"epochs: 5\nlr: 0.001\nseeds: [0, 1, 2]\nresume: true\n# a comment\nstrategy: 'lp-ft'\n")
    put("yaml", "deep-flow.yaml", b"a: " + b"[" * 5000 + b"]" * 5000 + b"\n")
    put("yaml", "deep-block.yaml", b"a:\n" + b"".join(b" " * i + b"- \n" for i in range(140)))
    put("yaml", "laughs.yaml", b"a: &a [x, x, x, x, x, x, x, x, x]\nb: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]\nc: [*b, *b, *b, *b, *b, *b, *b, *b, *b]\n")
    # images: the test fixtures and the hostile shapes
    for name in ["gray8.png", "rgb8.png", "gray16.png", "rgba8.png", "gray.jpg", "rgb.jpg", "gray8.bmp", "rgb8.bmp",
                 "palette.bmp", "gray8.tif", "rgb16.tif", "gray8_lzw.tif", "truncated_late.jpg"]:
        with open("Tests/ScalpelDataTests/Fixtures/" + name, "rb") as f:
            put("images", name, f.read())
    ihdr = b"IHDR" + struct.pack(">IIBBBBB", 1 << 20, 1 << 20, 8, 0, 0, 0, 0)
    put("images", "huge-header.png", b"\x89PNG\r\n\x1a\n" + struct.pack(">I", 13) + ihdr + struct.pack(">I", zlib.crc32(ihdr)))
    put("images", "huge-header.jpg", bytes([0xFF, 0xD8, 0xFF, 0xC0, 0, 11, 8, 0xFD, 0xE8, 0xFD, 0xE8, 1, 1, 0x11, 0,
                                            0xFF, 0xDA, 0, 8, 1, 1, 0, 0, 0x3F, 0]) + bytes(64) + b"\xff\xd9")
    with open("Tests/ScalpelDataTests/Fixtures/rgb.jpg", "rb") as f:
        whole = f.read()
    put("images", "cut-short.jpg", whole[: len(whole) // 2] + b"\xff\xd9")
    # DICOM: the fixtures and the hostile shapes
    for name in ["ct16", "ct16_rle", "mono1_8", "multiframe", "rgb8", "jpeg8", "bits12", "short_pixels"]:
        with open(f"Tests/ScalpelDataTests/Fixtures/dicom/{name}.dcm", "rb") as f:
            put("dicom", name + ".dcm", f.read())
    syntax = b"1.2.840.10008.1.2.1\x00"
    preamble = bytes(128) + b"DICM" + b"\x02\x00\x10\x00UI" + struct.pack("<H", len(syntax)) + syntax
    level = b"\x08\x00\x15\x11SQ\x00\x00\xff\xff\xff\xff" + b"\xfe\xff\x00\xe0\xff\xff\xff\xff"
    close = b"\xfe\xff\x0d\xe0\x00\x00\x00\x00\xfe\xff\xdd\xe0\x00\x00\x00\x00"
    put("dicom", "deep-sequences.dcm", preamble + level * 1000 + close * 1000)

    def element(group, number, vr, value):
        length = struct.pack("<HI", 0, len(value)) if vr in (b"OW", b"OB") else struct.pack("<H", len(value))
        return struct.pack("<HH", group, number) + vr + length + value

    wrap = (element(0x28, 2, b"US", struct.pack("<H", 3)) + element(0x28, 4, b"CS", b"RGB ")
            + element(0x28, 8, b"IS", b"2147483647") + element(0x28, 0x10, b"US", struct.pack("<H", 16384))
            + element(0x28, 0x11, b"US", struct.pack("<H", 16384)) + element(0x28, 0x100, b"US", struct.pack("<H", 65535))
            + element(0x28, 0x101, b"US", struct.pack("<H", 8)) + element(0x7FE0, 0x10, b"OW", bytes(8)))
    put("dicom", "wrapping-size.dcm", preamble + wrap)
    # A TEM marker (FF01) right after the SOI of the JPEG fragment: DCMTK 3.6.7's bit-depth scan never ends.
    with open("Tests/ScalpelDataTests/Fixtures/dicom/jpeg8.dcm", "rb") as f:
        jpeg = bytearray(f.read())
    at = jpeg.index(b"\xff\xd8\xff\xe0")
    jpeg[at + 3] = 0x01
    put("dicom", "jpeg-tem-marker.dcm", bytes(jpeg))


if __name__ == "__main__":
    main()

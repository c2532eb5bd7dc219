#!/usr/bin/env python3
"""Stand-in for `safetensors.safe_open` when the real library is unavailable.

Re-implements, with the standard library only, the checks of the reference
reader (huggingface/safetensors, safetensors/src/tensor.rs: read_metadata and
Metadata::validate): 8-byte LE header length, header <= 100 MB, UTF-8 JSON
object, "__metadata__" a string->string map, every tensor entry with dtype,
shape (non-negative ints) and data_offsets (2 non-negative ints), entries
sorted by offsets starting at 0 and contiguous, end - begin equal to
prod(shape) * dtype size, and last end == end of file. It then reads every
tensor and prints name, dtype, shape, first values.

usage: check_safetensors.py FILE...
"""
import json
import struct
import sys

SIZES = {"BOOL": 1, "U8": 1, "I8": 1, "F8_E5M2": 1, "F8_E4M3": 1, "I16": 2, "U16": 2,
         "F16": 2, "BF16": 2, "I32": 4, "U32": 4, "F32": 4, "F64": 8, "I64": 8, "U64": 8}
FMT = {"BOOL": "?", "U8": "B", "I8": "b", "I16": "h", "U16": "H", "F16": "e",
       "I32": "i", "U32": "I", "F32": "f", "F64": "d", "I64": "q", "U64": "Q"}


def check(path):
    buf = open(path, "rb").read()
    if len(buf) < 8:
        raise ValueError("HeaderTooSmall")
    (n,) = struct.unpack("<Q", buf[:8])
    if n > 100_000_000:
        raise ValueError("HeaderTooLarge")
    if 8 + n > len(buf):
        raise ValueError("InvalidHeaderLength")
    header = json.loads(buf[8:8 + n].decode("utf-8"))
    if not isinstance(header, dict):
        raise ValueError("header is not an object")
    meta = header.pop("__metadata__", None)
    if meta is not None:
        if not isinstance(meta, dict) or not all(isinstance(k, str) and isinstance(v, str) for k, v in meta.items()):
            raise ValueError("__metadata__ is not a string map")
    infos = []
    for name, info in header.items():
        dtype, shape, offs = info["dtype"], info["shape"], info["data_offsets"]
        if dtype not in SIZES:
            raise ValueError(f"{name}: unknown dtype {dtype}")
        if not all(type(d) is int and d >= 0 for d in shape):
            raise ValueError(f"{name}: bad shape {shape}")
        if len(offs) != 2 or not all(type(o) is int and o >= 0 for o in offs):
            raise ValueError(f"{name}: bad data_offsets {offs}")
        infos.append((tuple(offs), name, dtype, shape))
    infos.sort()
    start = 0
    for (s, e), name, dtype, shape in infos:
        if s != start or e < s:
            raise ValueError(f"InvalidOffset({name})")
        start = e
        size = SIZES[dtype]
        for d in shape:
            size *= d
        if size >= 1 << 64:
            raise ValueError("ValidationOverflow")
        if e - s != size:
            raise ValueError(f"TensorInvalidInfo({name})")
    if start + 8 + n != len(buf):
        raise ValueError("MetadataIncompleteBuffer")
    base = 8 + n
    print(f"{path}: OK, header {n} bytes, {len(infos)} tensors, metadata {meta}")
    for (s, e), name, dtype, shape in infos:
        raw = buf[base + s:base + e]
        if dtype == "BF16":
            vals = [struct.unpack("<f", b"\0\0" + raw[i:i + 2])[0] for i in range(0, min(len(raw), 8), 2)]
        else:
            k = SIZES[dtype]
            vals = [struct.unpack("<" + FMT[dtype], raw[i:i + k])[0] for i in range(0, min(len(raw), 4 * k), k)]
        print(f"  {name:12s} {dtype:5s} {shape} abs_offset={base + s} (mod 64 = {(base + s) % 64}) first={vals}")


if __name__ == "__main__":
    ok = True
    for p in sys.argv[1:]:
        try:
            check(p)
        except Exception as exc:  # report every file
            ok = False
            print(f"{p}: REJECTED: {exc!r}")
    sys.exit(0 if ok else 1)

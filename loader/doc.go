// Package loader reads and writes HRM weight files in the safetensors format.
//
// # Format
//
// A safetensors file is an 8-byte little-endian unsigned header length N,
// N bytes of UTF-8 JSON, and a raw byte buffer holding every tensor's
// little-endian, row-major data. The JSON is an object mapping each tensor
// name to {"dtype", "shape", "data_offsets": [begin, end]} (offsets relative
// to the start of the buffer, end exclusive), plus an optional "__metadata__"
// object of string to string.
//
// # Reading
//
// [Open] memory-maps a file read-only (PROT_READ, MAP_SHARED) on Unix systems
// and reads it into memory elsewhere (windows, plan9, js, wasip1). [Parse]
// applies the same validation to bytes already in memory. The input is treated
// as untrusted: every check listed below fails with a *[FormatError] (which
// matches [ErrFormat] under errors.Is) naming the tensor and the problem; no
// input makes the reader panic.
//
//   - the file holds at least 8 bytes; N <= [MaxHeaderSize] (1 MiB) and
//     8+N <= file size;
//   - the header is valid UTF-8 and valid JSON (no lone UTF-16 surrogate
//     escapes), its first byte is '{' (no leading whitespace, no BOM), only
//     JSON whitespace may follow the closing '}' (writers pad with spaces), and
//     the top level is an object;
//   - no duplicate keys anywhere: top level, inside a tensor entry, inside
//     "__metadata__";
//   - "__metadata__" is an object whose values are all strings (null is
//     rejected);
//   - a tensor entry is an object with exactly the fields "dtype", "shape" and
//     "data_offsets"; unknown fields are rejected;
//   - dtype is one of the [DType] constants; the FP8/FP6/FP4 dtypes and other
//     newer safetensors dtypes are rejected (the HRM runtime has no use for
//     them);
//   - names are non-empty, at most [MaxNameLen] bytes, valid UTF-8, and do not
//     start with "__" (reserved) unless they are padding tensors ("__pad__.");
//     at most [MaxTensors] entries, padding included;
//   - shape entries are JSON integers written without fraction or exponent,
//     non-negative ("-0" is read as 0), at most [MaxDim] each, rank at most
//     [MaxRank]; element count and byte size are computed with overflow checks
//     (left to right, like the reference implementation) and must equal
//     end-begin; rank 0 (scalars) and zero-sized tensors are allowed;
//   - data_offsets holds exactly two non-negative integers with begin <= end;
//     sorted by (begin, end) the tensors start at 0 and are contiguous (no
//     holes, no overlaps) and the last one ends exactly at the end of the file;
//   - padding tensors (name prefix "__pad__.") are U8 of shape [k] with k < 64
//     and contain only zero bytes.
//
// The header is parsed with github.com/minio/simdjson-go when
// simdjson.SupportedCPU() reports AVX2 and CLMUL, and otherwise with a
// streaming encoding/json token walk. Both parsers feed one shared validator
// and yield identical results; [ParseWith] and [ParseHeader] force one of them.
//
// Model-level checks (expected names and shapes, finite quantisation scales)
// belong to the runtime and quant packages; [Tensor.CheckFinite] helps them.
//
// # Writing
//
// [WriteFile] writes a file that the reference Python/Rust safetensors library
// accepts and in which every tensor starts at a 64-byte aligned absolute file
// offset: the JSON header is padded with spaces so that 8+N is a multiple of
// 64, and zero-filled padding tensors (U8, shape [k], k < 64, named
// "__pad__.<n>") follow every tensor whose size is not a multiple of 64 (and
// is not the last one). Other safetensors readers see the padding tensors as
// ordinary U8 tensors; this package hides them. The metadata records
// "alignment": "64" unless the caller set that key. The write is atomic
// (temporary file, fsync, rename, directory fsync; [WriteAtomic] does it for
// any file): an existing file keeps its permission bits, and a symbolic link
// is written through, replacing the file it names and keeping the link.
//
// On 32-bit platforms a dimension must also fit in an int, so a shape with a
// dimension of exactly 2^31 (possible only next to a zero dimension) is
// rejected there.
//
// # Memory safety
//
// Tensor.Data of a File opened with [Open] aliases a read-only mapping: writing
// to it, or to the slices returned by the zero-copy views [Tensor.Float32s],
// [Tensor.Int32s] and [Tensor.Int8s], crashes the program, and so does any use
// after [File.Close]. The file must not be truncated or rewritten in place
// while it is mapped (the kernel then raises SIGBUS, which Go reports as a
// fatal "unexpected fault address"; `cp new.safetensors model.safetensors`
// does exactly that); [WriteFile] replaces files by rename, so it is safe to
// write a new version of a mapped file with it, as is `mv`. [ReadFile]
// reads the file into memory instead, for files that others may rewrite.
//
// The package supports little-endian machines only; it fails to build on the
// usual big-endian GOARCH values and panics at init on any other big-endian
// port.
package loader

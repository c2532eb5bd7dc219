package loader

import (
	"encoding/binary"
	"fmt"
	"math"
	"strings"
)

// rawFile assembles a safetensors file from a header string and data bytes,
// without any validation: the tool for hostile fixtures.
func rawFile(header string, data []byte) []byte {
	out := make([]byte, 8, 8+len(header)+len(data))
	binary.LittleEndian.PutUint64(out, uint64(len(header)))
	out = append(out, header...)
	return append(out, data...)
}

// withLen is rawFile with an explicit (possibly lying) header length.
func withLen(n uint64, rest string) []byte {
	out := make([]byte, 8, 8+len(rest))
	binary.LittleEndian.PutUint64(out, n)
	return append(out, rest...)
}

func f32bytes(v ...float32) []byte {
	b := make([]byte, 4*len(v))
	for i, f := range v {
		binary.LittleEndian.PutUint32(b[4*i:], math.Float32bits(f))
	}
	return b
}

// entry formats one header entry.
func entry(name, dtype, shape string, begin, end int64) string {
	return fmt.Sprintf(`%q:{"dtype":%q,"shape":%s,"data_offsets":[%d,%d]}`, name, dtype, shape, begin, end)
}

func mustMarshal(meta map[string]string, ts []Tensor) []byte {
	b, err := Marshal(meta, ts)
	if err != nil {
		panic(err)
	}
	return b
}

// fixture is a named input for Parse. wantErr lists substrings every error
// message must contain; nil means the input is valid.
type fixture struct {
	name    string
	data    []byte
	wantErr []string
}

func ok(name string, data []byte) fixture { return fixture{name: name, data: data} }

func bad(name string, data []byte, want ...string) fixture {
	return fixture{name: name, data: data, wantErr: append([]string{}, want...)}
}

// fixtures returns valid and hostile files covering every validation rule.
// They seed FuzzParse (inline and as testdata/fuzz/FuzzParse files), drive
// TestHostileFiles and the parser differential test.
func fixtures() []fixture {
	w8 := entry("w", "F32", "[2]", 0, 8)
	d8 := make([]byte, 8)
	deep := strings.Repeat("[", 300) + strings.Repeat("]", 300)
	var fx []fixture
	add := func(f ...fixture) { fx = append(fx, f...) }

	// Valid files.
	add(
		ok("valid_simple", rawFile(`{`+w8+`}`, f32bytes(1, 2))),
		ok("valid_empty", rawFile(`{}`, nil)),
		ok("valid_metadata_only", rawFile(`{"__metadata__":{"format":"pt","":""}}`, nil)),
		ok("valid_trailing_spaces", rawFile(`{`+w8+`}      `, f32bytes(1, 2))),
		ok("valid_trailing_json_whitespace", rawFile("{"+w8+"} \t\r\n", f32bytes(1, 2))),
		ok("valid_inner_whitespace", rawFile("{ \"w\" :\n{ \"dtype\" : \"F32\" , \"shape\" : [ 2 ] , \"data_offsets\" : [ 0 , 8 ] } }", f32bytes(1, 2))),
		ok("valid_scalar", rawFile(`{`+entry("s", "F64", "[]", 0, 8)+`}`, d8)),
		ok("valid_zero_sized", rawFile(`{`+entry("z", "F32", "[0,5]", 0, 0)+`,`+entry("z2", "I8", "[3,0]", 0, 0)+`,`+entry("a", "U8", "[2]", 0, 2)+`}`, []byte{7, 9})),
		ok("valid_negative_zero_dim", rawFile(`{`+entry("w", "F32", "[-0,3]", 0, 0)+`}`, nil)),
		ok("valid_unsorted_header", rawFile(`{`+entry("b", "I32", "[1]", 4, 8)+`,`+entry("a", "I32", "[1]", 0, 4)+`}`, d8)),
		ok("valid_nan_data", rawFile(`{`+w8+`}`, f32bytes(float32(math.NaN()), float32(math.Inf(1))))),
		ok("valid_escaped_names", rawFile(`{"\u00e9\ud83d\ude00\"\\\/\n":{"dtype":"U8","shape":[1],"data_offsets":[0,1]},"__metadata__":{"k\"":"v\u0000"}}`, []byte{1})),
		ok("valid_padding", rawFile(`{`+entry("a", "U8", "[3]", 0, 3)+`,`+entry("__pad__.0", "U8", "[5]", 3, 8)+`,`+entry("b", "I32", "[1]", 8, 12)+`}`, append([]byte{1, 2, 3, 0, 0, 0, 0, 0}, 4, 0, 0, 0))),
		ok("valid_all_dtypes", rawFile(`{`+strings.Join([]string{
			entry("bool", "BOOL", "[1]", 0, 1), entry("u8", "U8", "[1]", 1, 2), entry("i8", "I8", "[1]", 2, 3),
			entry("i16", "I16", "[1]", 3, 5), entry("u16", "U16", "[1]", 5, 7), entry("f16", "F16", "[1]", 7, 9),
			entry("bf16", "BF16", "[1]", 9, 11), entry("i32", "I32", "[1]", 11, 15), entry("u32", "U32", "[1]", 15, 19),
			entry("f32", "F32", "[1]", 19, 23), entry("f64", "F64", "[1]", 23, 31), entry("i64", "I64", "[1]", 31, 39),
			entry("u64", "U64", "[1]", 39, 47)}, ",")+`}`, make([]byte, 47))),
		ok("valid_rank8", rawFile(`{`+entry("r", "U8", "[1,1,1,1,1,1,1,2]", 0, 2)+`}`, []byte{1, 2})),
		ok("valid_big_dim", rawFile(`{`+entry("m", "U8", "[2147483647,0]", 0, 0)+`}`, nil)),
		ok("written_mixed", mustMarshal(map[string]string{"format": "hrm", "k": "v\"\n"}, []Tensor{
			F32Tensor("emb", []int{3, 2}, []float32{1, 2, 3, 4, 5, 6}),
			BF16Tensor("h_init", []int{5}, []float32{1, -1, 0.5, 2, 3}),
			I8Tensor("q", []int{2, 2}, []int8{-127, 0, 1, 127}),
			I32Tensor("ids", []int{1}, []int32{42}),
			{Name: "empty", DType: F16, Shape: []int{0}, Data: []byte{}},
		})),
		ok("written_empty", mustMarshal(nil, nil)),
	)

	// Rule 1: sizes and header length.
	add(
		bad("empty_file", nil, "smaller than the 8-byte header length"),
		bad("seven_bytes", []byte{1, 0, 0, 0, 0, 0, 0}, "7 bytes long, smaller than the 8-byte"),
		bad("header_len_huge", withLen(math.MaxUint64, "{}"), "exceeds the 1048576 byte limit"),
		bad("header_len_2pow63", withLen(1<<63, "{}"), "exceeds the 1048576 byte limit"),
		bad("header_len_over_cap", withLen(MaxHeaderSize+1, "{}"), "header length 1048577 exceeds the 1048576 byte limit"),
		bad("header_len_past_eof", withLen(100, `{"a":1}`), "header length 100 exceeds the 7 bytes after the length field"),
		bad("header_len_zero", withLen(0, ""), "empty header"),
		bad("truncated_header", withLen(10, `{"w":{"dtype":"F32"}}`), "does not end with '}'"),
		bad("unclosed_top_object", rawFile(`{"w":{"dtype":"F32","shape":[2],"data_offsets":[0,8]} x`, d8), "does not end with '}'"),
		bad("unclosed_top_object_brace", rawFile(`{"w":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}`, d8), "invalid JSON"),
		bad("truncated_header_at_brace", withLen(20, `{"w":{"dtype":"F32"}}`)),
	)

	// Rule 2: UTF-8, JSON syntax, top-level shape, duplicates, dtypes,
	// unknown fields, metadata.
	add(
		bad("non_utf8", rawFile("{\"w\xff\":{}}", nil), "not valid UTF-8"),
		bad("non_utf8_overlong", rawFile("{\"\xc0\xaf\":{}}", nil), "not valid UTF-8"),
		bad("leading_space", rawFile(` {`+w8+`}`, f32bytes(1, 2)), "does not start with '{'"),
		bad("bom", rawFile("\ufeff{"+w8+"}", f32bytes(1, 2)), "does not start with '{'"),
		bad("top_level_array", rawFile(`[1,2]`, nil), "does not start with '{'"),
		bad("trailing_garbage", rawFile(`{`+w8+`} x`, f32bytes(1, 2)), "does not end with '}'"),
		bad("trailing_nul", rawFile("{"+w8+"}\x00", f32bytes(1, 2)), "does not end with '}'"),
		bad("trailing_nbsp", rawFile("{"+w8+"}\u00a0", f32bytes(1, 2)), "does not end with '}'"),
		bad("two_objects", rawFile(`{} {}`, nil), "invalid JSON"),
		bad("trailing_comma", rawFile(`{"w":{"dtype":"F32","shape":[2],"data_offsets":[0,8],}}`, f32bytes(1, 2)), "invalid JSON"),
		bad("missing_colon", rawFile(`{"w" {"dtype":"F32"}}`, nil), "invalid JSON"),
		bad("missing_value", rawFile(`{"w":}`, nil), "invalid JSON"),
		bad("bad_escape", rawFile(`{"\x":{}}`, nil), "invalid JSON"),
		bad("control_char_in_string", rawFile("{\"a\x01\":{}}", nil), "invalid JSON"),
		bad("formfeed_whitespace", rawFile("{\f}", nil), "invalid JSON"),
		bad("bad_literal", rawFile(`{"__metadata__":{"a":tru}}`, nil), "invalid JSON"),
		bad("leading_zero_number", rawFile(`{"w":{"dtype":"F32","shape":[02],"data_offsets":[0,8]}}`, f32bytes(1, 2)), "invalid JSON"),
		bad("lone_high_surrogate", rawFile(`{"\ud800":{}}`, nil), "unpaired UTF-16 surrogate"),
		bad("lone_low_surrogate", rawFile(`{"__metadata__":{"k":"\udc00"}}`, nil), "unpaired UTF-16 surrogate"),
		bad("reversed_surrogates", rawFile(`{"\udc00\ud800":{}}`, nil), "unpaired UTF-16 surrogate"),
		bad("short_u_escape", rawFile(`{"\u 000":{}}`, nil), `\u escape without four hex digits`),
		bad("deep_nesting_shape", rawFile(`{"w":{"dtype":"F32","shape":`+deep+`,"data_offsets":[0,0]}}`, nil)),
		bad("deep_nesting_metadata", rawFile(`{"__metadata__":{"k":`+deep+`}}`, nil)),
		bad("deep_nesting_top", rawFile(`{"w":`+deep+`}`, nil)),
		bad("duplicate_tensor", rawFile(`{`+w8+`,`+w8+`}`, f32bytes(1, 2)), `tensor "w"`, "duplicate tensor name"),
		bad("duplicate_tensor_after_metadata", rawFile(`{`+entry("a", "U8", "[1]", 0, 1)+`,"__metadata__":{},`+entry("a", "U8", "[1]", 0, 1)+`}`, []byte{1}), `tensor "a"`, "duplicate tensor name"),
		bad("duplicate_metadata_key", rawFile(`{"__metadata__":{},"__metadata__":{}}`, nil), `duplicate "__metadata__" key`),
		bad("duplicate_metadata_entry", rawFile(`{"__metadata__":{"k":"1","k":"2"}}`, nil), `duplicate key "k" in "__metadata__"`),
		bad("duplicate_dtype_field", rawFile(`{"w":{"dtype":"F32","dtype":"I32","shape":[2],"data_offsets":[0,8]}}`, f32bytes(1, 2)), `tensor "w"`, `duplicate field "dtype"`),
		bad("duplicate_shape_field", rawFile(`{"w":{"dtype":"F32","shape":[2],"shape":[2],"data_offsets":[0,8]}}`, f32bytes(1, 2)), `tensor "w"`, `duplicate field "shape"`),
		bad("duplicate_offsets_field", rawFile(`{"w":{"dtype":"F32","shape":[2],"data_offsets":[0,8],"data_offsets":[0,8]}}`, f32bytes(1, 2)), `tensor "w"`, `duplicate field "data_offsets"`),
		bad("unknown_dtype_f8", rawFile(`{`+entry("w", "F8_E4M3", "[8]", 0, 8)+`}`, d8), `tensor "w"`, `unsupported dtype "F8_E4M3"`),
		bad("unknown_dtype_lower", rawFile(`{`+entry("w", "f32", "[2]", 0, 8)+`}`, d8), `tensor "w"`, `unsupported dtype "f32"`),
		bad("unknown_dtype_empty", rawFile(`{`+entry("w", "", "[2]", 0, 8)+`}`, d8), `tensor "w"`, `unsupported dtype ""`),
		bad("unknown_field", rawFile(`{"w":{"dtype":"F32","shape":[2],"data_offsets":[0,8],"strides":[1]}}`, d8), `tensor "w"`, `unknown field "strides"`),
		bad("metadata_string", rawFile(`{"__metadata__":"x"}`, nil), `"__metadata__" must be an object of strings, got a string`),
		bad("metadata_null", rawFile(`{"__metadata__":null}`, nil), `"__metadata__" must be an object of strings, got null`),
		bad("metadata_array", rawFile(`{"__metadata__":["a"]}`, nil), `"__metadata__" must be an object of strings, got an array`),
		bad("metadata_number_value", rawFile(`{"__metadata__":{"k":1}}`, nil), `value of key "k" must be a string, got a number`),
		bad("metadata_object_value", rawFile(`{"__metadata__":{"k":{}}}`, nil), `value of key "k" must be a string, got an object`),
		bad("metadata_bool_value", rawFile(`{"__metadata__":{"k":true}}`, nil), `value of key "k" must be a string, got a boolean`),
		bad("entry_not_object", rawFile(`{"w":[1]}`, nil), `tensor "w"`, "entry must be an object, got an array"),
		bad("entry_number", rawFile(`{"w":5}`, nil), `tensor "w"`, "entry must be an object, got a number"),
		bad("entry_null", rawFile(`{"w":null}`, nil), `tensor "w"`, "entry must be an object, got null"),
		bad("missing_dtype", rawFile(`{"w":{"shape":[2],"data_offsets":[0,8]}}`, d8), `tensor "w"`, `missing field "dtype"`),
		bad("missing_shape", rawFile(`{"w":{"dtype":"F32","data_offsets":[0,8]}}`, d8), `tensor "w"`, `missing field "shape"`),
		bad("missing_offsets", rawFile(`{"w":{"dtype":"F32","shape":[2]}}`, d8), `tensor "w"`, `missing field "data_offsets"`),
		bad("empty_entry", rawFile(`{"w":{}}`, nil), `tensor "w"`, `missing field "dtype"`),
		bad("dtype_not_string", rawFile(`{"w":{"dtype":4,"shape":[2],"data_offsets":[0,8]}}`, d8), `tensor "w"`, `"dtype" must be a string, got a number`),
		bad("shape_not_array", rawFile(`{"w":{"dtype":"F32","shape":"2","data_offsets":[0,8]}}`, d8), `tensor "w"`, `"shape" must be an array, got a string`),
		bad("offsets_not_array", rawFile(`{"w":{"dtype":"F32","shape":[2],"data_offsets":{"a":0}}}`, d8), `tensor "w"`, `"data_offsets" must be an array, got an object`),
	)

	// Rule 3: names and counts.
	long := strings.Repeat("n", MaxNameLen+1)
	add(
		bad("empty_name", rawFile(`{`+entry("", "U8", "[1]", 0, 1)+`}`, []byte{1}), "empty tensor name"),
		bad("name_too_long", rawFile(`{`+entry(long, "U8", "[1]", 0, 1)+`}`, []byte{1}), `tensor "nnnn`, "name is 257 bytes long (limit 256)"),
		ok("name_max_len", rawFile(`{`+entry(long[1:], "U8", "[1]", 0, 1)+`}`, []byte{1})),
		bad("reserved_name", rawFile(`{`+entry("__weights__", "U8", "[1]", 0, 1)+`}`, []byte{1}), `tensor "__weights__"`, "reserved"),
		bad("reserved_metadata_lookalike", rawFile(`{`+entry("__metadata", "U8", "[1]", 0, 1)+`}`, []byte{1}), `tensor "__metadata"`, "reserved"),
	)

	// Rule 4: shapes.
	add(
		bad("shape_float", rawFile(`{`+entry("w", "F32", "[2.0]", 0, 8)+`}`, d8), `tensor "w"`, "shape[0] is not an integer"),
		bad("shape_exponent", rawFile(`{`+entry("w", "F32", "[2e0]", 0, 8)+`}`, d8), `tensor "w"`, "shape[0] is not an integer"),
		bad("shape_fraction", rawFile(`{`+entry("w", "F32", "[1,1.5]", 0, 8)+`}`, d8), `tensor "w"`, "shape[1] is not an integer"),
		bad("shape_negative", rawFile(`{`+entry("w", "F32", "[-2,-1]", 0, 8)+`}`, d8), `tensor "w"`, "shape[0] is negative"),
		bad("shape_negative_big", rawFile(`{`+entry("w", "F32", "[-99999999999999999999999]", 0, 8)+`}`, d8), `tensor "w"`, "shape[0] is negative"),
		bad("shape_negative_float", rawFile(`{`+entry("w", "F32", "[-0.0]", 0, 0)+`}`, nil), `tensor "w"`, "shape[0] is not an integer"),
		bad("shape_string_elem", rawFile(`{`+entry("w", "F32", `["2"]`, 0, 8)+`}`, d8), `tensor "w"`, "shape[0] must be a non-negative integer, got a string"),
		bad("shape_null_elem", rawFile(`{`+entry("w", "F32", `[2,null]`, 0, 8)+`}`, d8), `tensor "w"`, "shape[1] must be a non-negative integer, got null"),
		bad("shape_bool_elem", rawFile(`{`+entry("w", "F32", `[true]`, 0, 8)+`}`, d8), `tensor "w"`, "shape[0] must be a non-negative integer, got a boolean"),
		bad("shape_nested", rawFile(`{`+entry("w", "F32", `[[2]]`, 0, 8)+`}`, d8), `tensor "w"`, "shape[0] must be a non-negative integer, got an array"),
		bad("rank_9", rawFile(`{`+entry("w", "U8", "[1,1,1,1,1,1,1,1,1]", 0, 1)+`}`, []byte{1}), `tensor "w"`, "more than 8 dimensions"),
		bad("dim_over_limit", rawFile(`{`+entry("w", "U8", "[2147483649,0]", 0, 0)+`}`, nil), `tensor "w"`, "shape[0] = 2147483649 exceeds the dimension limit"),
		bad("dim_uint64_max", rawFile(`{`+entry("w", "U8", "[18446744073709551615]", 0, 0)+`}`, nil), `tensor "w"`, "exceeds the dimension limit"),
		bad("dim_overflow_uint64", rawFile(`{`+entry("w", "U8", "[18446744073709551616]", 0, 0)+`}`, nil), `tensor "w"`, "shape[0] is too large"),
		bad("dim_huge_integer", rawFile(`{`+entry("w", "U8", "[123456789012345678901234567890]", 0, 0)+`}`, nil), `tensor "w"`, "shape[0] is too large"),
		bad("element_count_overflow", rawFile(`{`+entry("w", "U8", "[2147483647,2147483647,2147483647]", 0, 0)+`}`, nil), `tensor "w"`, "element count of shape [2147483647 2147483647 2147483647] overflows"),
		bad("element_count_overflow_then_zero", rawFile(`{`+entry("w", "U8", "[2147483647,2147483647,2147483647,0]", 0, 0)+`}`, nil), `tensor "w"`, "overflows"),
		bad("byte_size_overflow", rawFile(`{`+entry("w", "F64", "[2147483647,2147483647]", 0, 0)+`}`, nil), `tensor "w"`, "byte size of shape [2147483647 2147483647] of F64 overflows"),
		bad("size_mismatch_small", rawFile(`{`+entry("w", "F32", "[2]", 0, 4)+`}`, d8[:4]), `tensor "w"`, "data_offsets [0,4] span 4 bytes, but shape [2] of F32 needs 8 bytes"),
		bad("size_mismatch_large", rawFile(`{`+entry("w", "F32", "[1]", 0, 8)+`}`, d8), `tensor "w"`, "span 8 bytes, but shape [1] of F32 needs 4 bytes"),
		bad("size_mismatch_scalar", rawFile(`{`+entry("w", "F32", "[]", 0, 8)+`}`, d8), `tensor "w"`, "needs 4 bytes"),
	)

	// Rule 5: data offsets.
	add(
		bad("offsets_one", rawFile(`{"w":{"dtype":"F32","shape":[2],"data_offsets":[8]}}`, d8), `tensor "w"`, "exactly 2 elements, got 1"),
		bad("offsets_empty", rawFile(`{"w":{"dtype":"F32","shape":[2],"data_offsets":[]}}`, d8), `tensor "w"`, "exactly 2 elements, got 0"),
		bad("offsets_three", rawFile(`{"w":{"dtype":"F32","shape":[2],"data_offsets":[0,8,8]}}`, d8), `tensor "w"`, "exactly 2 elements, got more"),
		bad("offsets_negative", rawFile(`{"w":{"dtype":"F32","shape":[2],"data_offsets":[-8,0]}}`, d8), `tensor "w"`, "data_offsets[0] is negative"),
		bad("offsets_float", rawFile(`{"w":{"dtype":"F32","shape":[2],"data_offsets":[0,8.0]}}`, d8), `tensor "w"`, "data_offsets[1] is not an integer"),
		bad("offsets_string", rawFile(`{"w":{"dtype":"F32","shape":[2],"data_offsets":["0",8]}}`, d8), `tensor "w"`, "data_offsets[0] must be a non-negative integer, got a string"),
		bad("offsets_too_large", rawFile(`{"w":{"dtype":"U8","shape":[0],"data_offsets":[9223372036854775808,9223372036854775808]}}`, nil), `tensor "w"`, "data_offsets[0] = 9223372036854775808 is too large"),
		bad("offsets_reversed", rawFile(`{`+entry("w", "F32", "[2]", 8, 0)+`}`, d8), `tensor "w"`, "data_offsets [8,0]: begin is after end"),
		bad("offsets_not_from_zero", rawFile(`{`+entry("w", "F32", "[2]", 4, 12)+`}`, make([]byte, 12)), `tensor "w"`, "first tensor starts at data offset 4, want 0"),
		bad("offsets_hole", rawFile(`{`+entry("a", "F32", "[1]", 0, 4)+`,`+entry("b", "F32", "[1]", 8, 12)+`}`, make([]byte, 12)), `tensor "b"`, `leave a hole of 4 bytes after tensor "a"`),
		bad("offsets_overlap", rawFile(`{`+entry("a", "F32", "[2]", 0, 8)+`,`+entry("b", "F32", "[2]", 4, 12)+`}`, make([]byte, 12)), `tensor "b"`, `overlap tensor "a"`),
		bad("offsets_same_range", rawFile(`{`+entry("a", "F32", "[2]", 0, 8)+`,`+entry("b", "F32", "[2]", 0, 8)+`}`, d8), `tensor "b"`, `overlap tensor "a"`),
		bad("offsets_zero_size_inside", rawFile(`{`+entry("a", "F32", "[2]", 0, 8)+`,`+entry("z", "F32", "[0]", 4, 4)+`}`, d8), `tensor "z"`, `overlap tensor "a"`),
		bad("trailing_data", rawFile(`{`+w8+`}`, make([]byte, 12)), `tensor "w"`, "data buffer holds 12 bytes (4 trailing bytes)"),
		bad("truncated_data", rawFile(`{`+w8+`}`, make([]byte, 5)), `tensor "w"`, "extend past the end of the 5-byte data buffer"),
		bad("huge_offsets_truncated", rawFile(`{`+entry("w", "U8", "[2147483647,2]", 0, 4294967294)+`}`, d8), `tensor "w"`, "extend past the end"),
		bad("no_tensors_with_data", rawFile(`{}`, d8), "header lists no tensors, but 8 data bytes follow it"),
		bad("metadata_only_with_data", rawFile(`{"__metadata__":{}}`, d8[:1]), "header lists no tensors, but 1 data bytes"),
	)

	// Rule 6: padding tensors.
	add(
		bad("padding_nonzero", rawFile(`{`+entry("a", "U8", "[3]", 0, 3)+`,`+entry("__pad__.0", "U8", "[5]", 3, 8)+`}`, []byte{1, 2, 3, 0, 0, 0, 1, 0}), `tensor "__pad__.0"`, "padding byte 3 is 0x1, want 0"),
		bad("padding_wrong_dtype", rawFile(`{`+entry("__pad__.0", "I8", "[4]", 0, 4)+`}`, d8[:4]), `tensor "__pad__.0"`, "padding tensor must be U8 of shape [k] with k < 64"),
		bad("padding_too_big", rawFile(`{`+entry("__pad__.x", "U8", "[64]", 0, 64)+`}`, make([]byte, 64)), `tensor "__pad__.x"`, "k < 64, got U8 [64]"),
		bad("padding_rank2", rawFile(`{`+entry("__pad__.x", "U8", "[2,2]", 0, 4)+`}`, d8[:4]), `tensor "__pad__.x"`, "padding tensor must be U8 of shape [k]"),
		ok("padding_only", rawFile(`{`+entry("__pad__.x", "U8", "[3]", 0, 3)+`}`, d8[:3])),
	)
	return fx
}

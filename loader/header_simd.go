package loader

import (
	"github.com/minio/simdjson-go"
)

// parseSIMD parses the header with simdjson-go and walks the tape in
// document order, feeding the same builder calls as parseJSON.
func parseSIMD(b []byte, bld *builder) error {
	// Parse a private copy with slack capacity: simdjson reads its input in
	// wide vectors, and b may end right at the end of a read-only mapping.
	buf := make([]byte, len(b), len(b)+64)
	copy(buf, b)
	pj, err := simdjson.Parse(buf, nil)
	if err != nil {
		return syntaxErrorf("invalid JSON: %v", err)
	}
	it := pj.Iter()
	if typ := it.Advance(); typ != simdjson.TypeRoot {
		return syntaxErrorf("invalid JSON: no root value")
	}
	typ, root, err := it.Root(nil)
	if err != nil {
		return syntaxErrorf("invalid JSON: %v", err)
	}
	if typ != simdjson.TypeObject {
		return errorf("the header must be a JSON object, got %s", simdTypeName(typ))
	}
	if it.Advance() != simdjson.TypeNone {
		return syntaxErrorf("invalid JSON: data after the top-level object")
	}
	top, err := root.Object(nil)
	if err != nil {
		return syntaxErrorf("invalid JSON: %v", err)
	}
	var val, inner simdjson.Iter
	var obj simdjson.Object
	var arr simdjson.Array
	for {
		key, typ, err := top.NextElement(&val)
		if err != nil {
			return syntaxErrorf("invalid JSON: %v", err)
		}
		if typ == simdjson.TypeNone {
			break
		}
		isMeta, err := bld.key(key)
		if err != nil {
			return err
		}
		if isMeta {
			if typ != simdjson.TypeObject {
				return bld.metaNotObject(simdTypeName(typ))
			}
			if _, err := val.Object(&obj); err != nil {
				return syntaxErrorf("invalid JSON: %v", err)
			}
			for {
				k, t, err := obj.NextElement(&inner)
				if err != nil {
					return syntaxErrorf("invalid JSON: %v", err)
				}
				if t == simdjson.TypeNone {
					break
				}
				if t != simdjson.TypeString {
					return bld.metaValueNotString(k, simdTypeName(t))
				}
				s, err := inner.String()
				if err != nil {
					return syntaxErrorf("invalid JSON: %v", err)
				}
				if err := bld.metaValue(k, s); err != nil {
					return err
				}
			}
			continue
		}
		if typ != simdjson.TypeObject {
			return bld.entryNotObject(simdTypeName(typ))
		}
		if _, err := val.Object(&obj); err != nil {
			return syntaxErrorf("invalid JSON: %v", err)
		}
		for {
			f, t, err := obj.NextElement(&inner)
			if err != nil {
				return syntaxErrorf("invalid JSON: %v", err)
			}
			if t == simdjson.TypeNone {
				break
			}
			if err := bld.field(f); err != nil {
				return err
			}
			if f == "dtype" {
				if t != simdjson.TypeString {
					return bld.fieldWrongType(simdTypeName(t))
				}
				s, err := inner.String()
				if err != nil {
					return syntaxErrorf("invalid JSON: %v", err)
				}
				if err := bld.dtype(s); err != nil {
					return err
				}
				continue
			}
			if t != simdjson.TypeArray {
				return bld.fieldWrongType(simdTypeName(t))
			}
			if _, err := inner.Array(&arr); err != nil {
				return syntaxErrorf("invalid JSON: %v", err)
			}
			bld.arrayStart()
			ai := arr.Iter()
			for {
				et := ai.Advance()
				if et == simdjson.TypeNone {
					break
				}
				u, kind, ok := classifySIMDNumber(&ai, et)
				if !ok {
					return bld.elemWrongType(simdTypeName(et))
				}
				if err := bld.number(u, kind); err != nil {
					return err
				}
			}
		}
		if err := bld.endEntry(); err != nil {
			return err
		}
	}
	return nil
}

// classifySIMDNumber mirrors classifyJSONNumber: simdjson stores integers
// that fit as int64/uint64, every other number as a float64 (flagged when it
// was written as an integer but overflowed).
func classifySIMDNumber(it *simdjson.Iter, t simdjson.Type) (uint64, numKind, bool) {
	switch t {
	case simdjson.TypeInt:
		v, err := it.Int()
		if err != nil {
			return 0, numTooLarge, true
		}
		if v < 0 {
			return 0, numNegative, true
		}
		return uint64(v), numOK, true
	case simdjson.TypeUint:
		v, err := it.Uint()
		if err != nil {
			return 0, numTooLarge, true
		}
		return v, numOK, true
	case simdjson.TypeFloat:
		v, flags, err := it.FloatFlags()
		if err != nil || !flags.Contains(simdjson.FloatOverflowedInteger) {
			return 0, numNotInteger, true
		}
		if v < 0 {
			return 0, numNegative, true
		}
		return 0, numTooLarge, true
	}
	return 0, 0, false
}

func simdTypeName(t simdjson.Type) string {
	switch t {
	case simdjson.TypeObject:
		return typeObject
	case simdjson.TypeArray:
		return typeArray
	case simdjson.TypeString:
		return typeString
	case simdjson.TypeInt, simdjson.TypeUint, simdjson.TypeFloat:
		return typeNumber
	case simdjson.TypeBool:
		return typeBool
	case simdjson.TypeNull:
		return typeNull
	}
	return "an unknown value"
}

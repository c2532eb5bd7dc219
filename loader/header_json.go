package loader

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"strconv"
	"strings"
)

// parseJSON walks the header with encoding/json's streaming tokenizer so that
// duplicate keys are seen (json.Unmarshal into a map would silently keep the
// last one). Every value has a fixed expected type, so the walk never needs to
// skip an arbitrary value and never nests deeper than three levels.
func parseJSON(b []byte, bld *builder) error {
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	w := jsonWalker{dec: dec}

	if err := w.expectDelim('{', "the header"); err != nil {
		return err
	}
	for w.more() {
		key, err := w.key()
		if err != nil {
			return err
		}
		isMeta, err := bld.key(key)
		if err != nil {
			return err
		}
		tok, err := w.token()
		if err != nil {
			return err
		}
		if isMeta {
			if tok != json.Delim('{') {
				return bld.metaNotObject(jsonTypeOf(tok))
			}
			for w.more() {
				k, err := w.key()
				if err != nil {
					return err
				}
				v, err := w.token()
				if err != nil {
					return err
				}
				s, ok := v.(string)
				if !ok {
					return bld.metaValueNotString(k, jsonTypeOf(v))
				}
				if err := bld.metaValue(k, s); err != nil {
					return err
				}
			}
			if err := w.expectDelim('}', "metadata"); err != nil {
				return err
			}
			continue
		}
		if tok != json.Delim('{') {
			return bld.entryNotObject(jsonTypeOf(tok))
		}
		for w.more() {
			f, err := w.key()
			if err != nil {
				return err
			}
			if err := bld.field(f); err != nil {
				return err
			}
			v, err := w.token()
			if err != nil {
				return err
			}
			if f == "dtype" {
				s, ok := v.(string)
				if !ok {
					return bld.fieldWrongType(jsonTypeOf(v))
				}
				if err := bld.dtype(s); err != nil {
					return err
				}
				continue
			}
			if v != json.Delim('[') {
				return bld.fieldWrongType(jsonTypeOf(v))
			}
			bld.arrayStart()
			for w.more() {
				v, err := w.token()
				if err != nil {
					return err
				}
				n, ok := v.(json.Number)
				if !ok {
					return bld.elemWrongType(jsonTypeOf(v))
				}
				u, kind := classifyJSONNumber(string(n))
				if err := bld.number(u, kind); err != nil {
					return err
				}
			}
			if err := w.expectDelim(']', "array"); err != nil {
				return err
			}
		}
		if err := w.expectDelim('}', "tensor entry"); err != nil {
			return err
		}
		if err := bld.endEntry(); err != nil {
			return err
		}
	}
	if err := w.expectDelim('}', "the header"); err != nil {
		return err
	}
	// Nothing but whitespace may follow (precheckHeader already trimmed it).
	if _, err := dec.Token(); err != io.EOF {
		if err == nil {
			return syntaxErrorf("invalid JSON: data after the top-level object")
		}
		return jsonSyntaxError(err)
	}
	return nil
}

type jsonWalker struct{ dec *json.Decoder }

func (w jsonWalker) token() (json.Token, error) {
	t, err := w.dec.Token()
	if err != nil {
		return nil, jsonSyntaxError(err)
	}
	return t, nil
}

// more reports whether another element follows in the current object or
// array. On malformed input it returns true and the next token() fails.
func (w jsonWalker) more() bool { return w.dec.More() }

func (w jsonWalker) key() (string, error) {
	t, err := w.token()
	if err != nil {
		return "", err
	}
	s, ok := t.(string)
	if !ok {
		return "", syntaxErrorf("invalid JSON: expected an object key, got %v", t)
	}
	return s, nil
}

func (w jsonWalker) expectDelim(d json.Delim, what string) error {
	t, err := w.token()
	if err != nil {
		return err
	}
	if t != d {
		if d == '{' {
			return errorf("%s must be a JSON object, got %s", what, jsonTypeOf(t))
		}
		return syntaxErrorf("invalid JSON: expected %q closing %s, got %v", d, what, t)
	}
	return nil
}

func jsonSyntaxError(err error) error {
	if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
		return syntaxErrorf("invalid JSON: unexpected end of header")
	}
	var se *json.SyntaxError
	if errors.As(err, &se) {
		return syntaxErrorf("invalid JSON at byte %d: %v", se.Offset, se)
	}
	return syntaxErrorf("invalid JSON: %v", err)
}

func jsonTypeOf(t json.Token) string {
	switch v := t.(type) {
	case json.Delim:
		switch v {
		case '{':
			return typeObject
		case '[':
			return typeArray
		}
		return "'" + v.String() + "'"
	case string:
		return typeString
	case json.Number, float64:
		return typeNumber
	case bool:
		return typeBool
	case nil:
		return typeNull
	}
	return "an unknown value"
}

// classifyJSONNumber classifies a JSON number literal (already syntax-checked
// by the decoder) the way the simdjson walk classifies its parsed numbers.
func classifyJSONNumber(s string) (uint64, numKind) {
	if strings.ContainsAny(s, ".eE") {
		return 0, numNotInteger
	}
	if strings.HasPrefix(s, "-") {
		if strings.Trim(s[1:], "0") == "" {
			return 0, numOK // "-0"
		}
		return 0, numNegative
	}
	u, err := strconv.ParseUint(s, 10, 64)
	if err != nil {
		return 0, numTooLarge
	}
	return u, numOK
}

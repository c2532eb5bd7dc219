package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strconv"

	"github.com/minio/simdjson-go"
)

// ndjsonLine is one input object. Only "puzzle" is required; "id" is echoed
// back (a string or a number).
type ndjsonLine struct {
	Puzzle *string          `json:"puzzle"`
	ID     *json.RawMessage `json:"id"`
}

// parseNDJSON reads one JSON object per line. simdjson-go parses the whole
// file at once where the CPU supports it; on any error the line-by-line
// encoding/json path runs to say which line is wrong.
func parseNDJSON(data []byte) ([]item, error) {
	if simdjson.SupportedCPU() {
		if items, err := parseNDJSONSIMD(data); err == nil {
			return items, nil
		}
	}
	return parseNDJSONStd(data)
}

func parseNDJSONStd(data []byte) ([]item, error) {
	var items []item
	for i, line := range bytes.Split(data, []byte("\n")) {
		line = bytes.TrimSpace(line)
		if len(line) == 0 {
			continue
		}
		var l ndjsonLine
		dec := json.NewDecoder(bytes.NewReader(line))
		dec.DisallowUnknownFields()
		if err := dec.Decode(&l); err != nil {
			return nil, fmt.Errorf("line %d: %v", i+1, err)
		}
		if dec.More() {
			return nil, fmt.Errorf("line %d: more than one JSON value", i+1)
		}
		if l.Puzzle == nil {
			return nil, fmt.Errorf("line %d: no \"puzzle\" field", i+1)
		}
		it := item{puzzle: *l.Puzzle, line: i + 1}
		if l.ID != nil {
			var s string
			var n json.Number
			if json.Unmarshal(*l.ID, &s) == nil {
				it.id = s
			} else if json.Unmarshal(*l.ID, &n) == nil {
				it.id = n.String()
			} else {
				return nil, fmt.Errorf("line %d: \"id\" must be a string or a number", i+1)
			}
		}
		items = append(items, it)
	}
	if len(items) == 0 {
		return nil, fmt.Errorf("no puzzles")
	}
	return items, nil
}

func parseNDJSONSIMD(data []byte) ([]item, error) {
	pj, err := simdjson.ParseND(data, nil)
	if err != nil {
		return nil, err
	}
	// Line numbers for messages: the n-th non-empty line holds the n-th object.
	var lines []int
	for i, l := range bytes.Split(data, []byte("\n")) {
		if len(bytes.TrimSpace(l)) > 0 {
			lines = append(lines, i+1)
		}
	}
	var items []item
	it := pj.Iter()
	var obj *simdjson.Object
	var elem simdjson.Iter
	for {
		t := it.Advance()
		if t == simdjson.TypeNone {
			break
		}
		if t != simdjson.TypeRoot {
			return nil, fmt.Errorf("unexpected %v at top level", t)
		}
		_, root, err := it.Root(nil)
		if err != nil {
			return nil, err
		}
		if obj, err = root.Object(obj); err != nil {
			return nil, err
		}
		n := len(items)
		if n >= len(lines) {
			return nil, fmt.Errorf("more objects than lines")
		}
		rec := item{line: lines[n]}
		seenPuzzle := false
		for {
			name, typ, err := obj.NextElement(&elem)
			if err != nil {
				return nil, err
			}
			if typ == simdjson.TypeNone {
				break
			}
			switch name {
			case "puzzle":
				if rec.puzzle, err = elem.String(); err != nil {
					return nil, err
				}
				seenPuzzle = true
			case "id":
				switch typ {
				case simdjson.TypeString:
					rec.id, err = elem.String()
				case simdjson.TypeInt:
					var v int64
					v, err = elem.Int()
					rec.id = strconv.FormatInt(v, 10)
				default:
					err = fmt.Errorf("bad id")
				}
				if err != nil {
					return nil, err
				}
			default:
				return nil, fmt.Errorf("unknown field %q", name)
			}
		}
		if !seenPuzzle {
			return nil, fmt.Errorf("no puzzle field")
		}
		items = append(items, rec)
	}
	if len(items) != len(lines) {
		return nil, fmt.Errorf("%d objects on %d lines", len(items), len(lines))
	}
	return items, nil
}

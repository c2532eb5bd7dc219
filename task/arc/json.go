package arc

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strconv"
	"unicode/utf8"

	"github.com/minio/simdjson-go"

	"github.com/hrmgo/hrm/internal/jsonstr"
)

// simdSupported is a variable so tests can force the encoding/json path.
var simdSupported = simdjson.SupportedCPU

// simdParser parses task files, reusing simdjson buffers between files.
type simdParser struct{ pj *simdjson.ParsedJson }

func (p *simdParser) parse(name string, data []byte) (*Task, error) {
	if !simdSupported() {
		return parseStd(name, data)
	}
	t, pj, err := parseSimd(name, data, p.pj)
	if pj != nil {
		p.pj = pj
	}
	return t, err
}

// taskBuilder collects the pieces both parsers produce, so that validation
// and error wording are shared.
type taskBuilder struct {
	name                string
	task                Task
	haveTrain, haveTest bool
}

func (b *taskBuilder) key(key string) (isTrain bool, known bool, err error) {
	switch key {
	case "train":
		if b.haveTrain {
			return false, true, arcErr(b.name, "", `duplicate key "train"`)
		}
		b.haveTrain = true
		return true, true, nil
	case "test":
		if b.haveTest {
			return false, true, arcErr(b.name, "", `duplicate key "test"`)
		}
		b.haveTest = true
		return false, true, nil
	}
	return false, false, nil
}

// pairBuilder tracks the keys of one pair object.
type pairBuilder struct {
	path          string
	input, output bool
}

func (p *pairBuilder) key(name, key string) (string, error) {
	switch key {
	case "input", "output":
		seen := &p.input
		if key == "output" {
			seen = &p.output
		}
		if *seen {
			return "", arcErr(name, p.path, "duplicate key %q", key)
		}
		*seen = true
		return key, nil
	}
	return "", nil
}

func (p *pairBuilder) finish(name string, train bool) error {
	if !p.input {
		return arcErr(name, p.path, `missing "input"`)
	}
	if train && !p.output {
		return arcErr(name, p.path, `missing "output"`)
	}
	return nil
}

func setName(train bool) string {
	if train {
		return "train"
	}
	return "test"
}

// ---- encoding/json path ----------------------------------------------

type stdParser struct {
	name string
	dec  *json.Decoder
}

func parseStd(name string, data []byte) (*Task, error) {
	if !utf8.Valid(data) {
		return nil, arcErr(name, "", "%v", errNotUTF8)
	}
	if i, why := jsonstr.Check(data); i >= 0 {
		return nil, arcErr(name, "", "invalid JSON: %s at byte %d", why, i)
	}
	p := &stdParser{name: name, dec: json.NewDecoder(bytes.NewReader(data))}
	p.dec.UseNumber()
	b := &taskBuilder{name: name, task: Task{Name: name}}
	if err := p.delim('{', ""); err != nil {
		return nil, err
	}
	for p.dec.More() {
		key, err := p.key("")
		if err != nil {
			return nil, err
		}
		isTrain, known, err := b.key(key)
		if err != nil {
			return nil, err
		}
		if !known {
			if err := p.skip(key); err != nil {
				return nil, err
			}
			continue
		}
		pairs, err := p.pairs(isTrain)
		if err != nil {
			return nil, err
		}
		if isTrain {
			b.task.Train = pairs
		} else {
			b.task.Test = pairs
		}
	}
	if err := p.delim('}', ""); err != nil {
		return nil, err
	}
	if _, err := p.dec.Token(); err != io.EOF {
		return nil, arcErr(name, "", "data after the top-level object")
	}
	return finishTask(name, &b.task, b.haveTrain, b.haveTest)
}

func (p *stdParser) syntax(path string, err error) error {
	if err == io.EOF {
		err = io.ErrUnexpectedEOF
	}
	return arcErr(p.name, path, "invalid JSON: %v", err)
}

func (p *stdParser) delim(want json.Delim, path string) error {
	tok, err := p.dec.Token()
	if err != nil {
		return p.syntax(path, err)
	}
	if d, ok := tok.(json.Delim); !ok || d != want {
		return arcErr(p.name, path, "got %v, want %s", describeTok(tok), kindOf(want))
	}
	return nil
}

func kindOf(d json.Delim) string {
	switch d {
	case '{':
		return "an object"
	case '[':
		return "an array"
	}
	return fmt.Sprintf("%q", string(d))
}

func describeTok(tok any) string {
	switch v := tok.(type) {
	case json.Delim:
		switch v {
		case '{':
			return "an object"
		case '[':
			return "an array"
		}
		return fmt.Sprintf("%q", string(v))
	case string:
		return "a string"
	case json.Number:
		return "a number"
	case bool:
		return "a boolean"
	case nil:
		return "null"
	}
	return fmt.Sprintf("%T", tok)
}

func (p *stdParser) key(path string) (string, error) {
	tok, err := p.dec.Token()
	if err != nil {
		return "", p.syntax(path, err)
	}
	s, ok := tok.(string)
	if !ok {
		return "", p.syntax(path, errors.New("object key is not a string"))
	}
	return s, nil
}

func (p *stdParser) skip(key string) error {
	var raw json.RawMessage
	if err := p.dec.Decode(&raw); err != nil {
		return p.syntax(key, err)
	}
	return nil
}

func (p *stdParser) pairs(train bool) ([]Pair, error) {
	set := setName(train)
	if err := p.delim('[', set); err != nil {
		return nil, err
	}
	var pairs []Pair
	for i := 0; p.dec.More(); i++ {
		pb := pairBuilder{path: fmt.Sprintf("%s[%d]", set, i)}
		if err := p.delim('{', pb.path); err != nil {
			return nil, err
		}
		var pair Pair
		for p.dec.More() {
			k, err := p.key(pb.path)
			if err != nil {
				return nil, err
			}
			which, err := pb.key(p.name, k)
			if err != nil {
				return nil, err
			}
			if which == "" {
				if err := p.skip(pb.path + "." + k); err != nil {
					return nil, err
				}
				continue
			}
			g, err := p.grid(pb.path + "." + which)
			if err != nil {
				return nil, err
			}
			if which == "input" {
				pair.Input = g
			} else {
				pair.Output = g
			}
		}
		if err := p.delim('}', pb.path); err != nil {
			return nil, err
		}
		if err := pb.finish(p.name, train); err != nil {
			return nil, err
		}
		pairs = append(pairs, pair)
	}
	if err := p.delim(']', set); err != nil {
		return nil, err
	}
	return pairs, nil
}

func (p *stdParser) grid(path string) (Grid, error) {
	if err := p.delim('[', path); err != nil {
		return Grid{}, err
	}
	var rows [][]int64
	for r := 0; p.dec.More(); r++ {
		if r >= MaxSize {
			return Grid{}, arcErr(p.name, path, "more than %d rows", MaxSize)
		}
		rp := fmt.Sprintf("%s[%d]", path, r)
		if err := p.delim('[', rp); err != nil {
			return Grid{}, err
		}
		var row []int64
		for c := 0; p.dec.More(); c++ {
			if c >= MaxSize {
				return Grid{}, arcErr(p.name, rp, "more than %d columns", MaxSize)
			}
			tok, err := p.dec.Token()
			if err != nil {
				return Grid{}, p.syntax(rp, err)
			}
			cp := func() string { return fmt.Sprintf("%s[%d]", rp, c) }
			n, ok := tok.(json.Number)
			if !ok {
				return Grid{}, arcErr(p.name, cp(), "got %s, want an integer colour", describeTok(tok))
			}
			v, err := strconv.ParseInt(string(n), 10, 64)
			if err != nil {
				return Grid{}, arcErr(p.name, cp(), "%s is not an integer colour", n)
			}
			row = append(row, v)
		}
		if err := p.delim(']', rp); err != nil {
			return Grid{}, err
		}
		rows = append(rows, row)
	}
	if err := p.delim(']', path); err != nil {
		return Grid{}, err
	}
	g, err := gridFromRows(path, rows)
	if err != nil {
		return Grid{}, arcErr(p.name, "", "%v", err)
	}
	return g, nil
}

// ---- simdjson path ------------------------------------------------------

func parseSimd(name string, data []byte, reuse *simdjson.ParsedJson) (*Task, *simdjson.ParsedJson, error) {
	if !utf8.Valid(data) {
		return nil, reuse, arcErr(name, "", "%v", errNotUTF8)
	}
	if i, why := jsonstr.Check(data); i >= 0 {
		return nil, reuse, arcErr(name, "", "invalid JSON: %s at byte %d", why, i)
	}
	pj, err := simdjson.Parse(data, reuse)
	if err != nil {
		return nil, reuse, arcErr(name, "", "invalid JSON: %v", err)
	}
	it := pj.Iter()
	if it.Advance() != simdjson.TypeRoot {
		return nil, pj, arcErr(name, "", "invalid JSON: no root value")
	}
	typ, root, err := it.Root(nil)
	if err != nil {
		return nil, pj, arcErr(name, "", "invalid JSON: %v", err)
	}
	if typ != simdjson.TypeObject {
		return nil, pj, arcErr(name, "", "got %s, want an object", simdKind(typ))
	}
	obj, err := root.Object(nil)
	if err != nil {
		return nil, pj, arcErr(name, "", "invalid JSON: %v", err)
	}
	if it.Advance() != simdjson.TypeNone {
		return nil, pj, arcErr(name, "", "data after the top-level object")
	}
	b := &taskBuilder{name: name, task: Task{Name: name}}
	var elem simdjson.Iter
	for {
		key, t, err := obj.NextElement(&elem)
		if err != nil {
			return nil, pj, arcErr(name, "", "invalid JSON: %v", err)
		}
		if t == simdjson.TypeNone {
			break
		}
		isTrain, known, err := b.key(key)
		if err != nil {
			return nil, pj, err
		}
		if !known {
			continue
		}
		pairs, err := simdPairs(name, &elem, isTrain)
		if err != nil {
			return nil, pj, err
		}
		if isTrain {
			b.task.Train = pairs
		} else {
			b.task.Test = pairs
		}
	}
	t, err := finishTask(name, &b.task, b.haveTrain, b.haveTest)
	return t, pj, err
}

func simdKind(t simdjson.Type) string {
	switch t {
	case simdjson.TypeObject:
		return "an object"
	case simdjson.TypeArray:
		return "an array"
	case simdjson.TypeString:
		return "a string"
	case simdjson.TypeInt, simdjson.TypeUint, simdjson.TypeFloat:
		return "a number"
	case simdjson.TypeBool:
		return "a boolean"
	case simdjson.TypeNull:
		return "null"
	}
	return t.String()
}

func simdPairs(name string, it *simdjson.Iter, train bool) ([]Pair, error) {
	set := setName(train)
	if it.Type() != simdjson.TypeArray {
		return nil, arcErr(name, set, "got %s, want an array", simdKind(it.Type()))
	}
	arr, err := it.Array(nil)
	if err != nil {
		return nil, arcErr(name, set, "invalid JSON: %v", err)
	}
	var pairs []Pair
	ai := arr.Iter()
	var obj simdjson.Object
	var elem simdjson.Iter
	for i := 0; ; i++ {
		t := ai.Advance()
		if t == simdjson.TypeNone {
			break
		}
		pb := pairBuilder{path: fmt.Sprintf("%s[%d]", set, i)}
		if t != simdjson.TypeObject {
			return nil, arcErr(name, pb.path, "got %s, want an object", simdKind(t))
		}
		o, err := ai.Object(&obj)
		if err != nil {
			return nil, arcErr(name, pb.path, "invalid JSON: %v", err)
		}
		var pair Pair
		for {
			k, et, err := o.NextElement(&elem)
			if err != nil {
				return nil, arcErr(name, pb.path, "invalid JSON: %v", err)
			}
			if et == simdjson.TypeNone {
				break
			}
			which, err := pb.key(name, k)
			if err != nil {
				return nil, err
			}
			if which == "" {
				continue
			}
			g, err := simdGrid(name, pb.path+"."+which, &elem)
			if err != nil {
				return nil, err
			}
			if which == "input" {
				pair.Input = g
			} else {
				pair.Output = g
			}
		}
		if err := pb.finish(name, train); err != nil {
			return nil, err
		}
		pairs = append(pairs, pair)
	}
	return pairs, nil
}

func simdGrid(name, path string, it *simdjson.Iter) (Grid, error) {
	if it.Type() != simdjson.TypeArray {
		return Grid{}, arcErr(name, path, "got %s, want an array", simdKind(it.Type()))
	}
	arr, err := it.Array(nil)
	if err != nil {
		return Grid{}, arcErr(name, path, "invalid JSON: %v", err)
	}
	var rows [][]int64
	ri := arr.Iter()
	var rowArr simdjson.Array
	for r := 0; ; r++ {
		t := ri.Advance()
		if t == simdjson.TypeNone {
			break
		}
		if r >= MaxSize {
			return Grid{}, arcErr(name, path, "more than %d rows", MaxSize)
		}
		rp := fmt.Sprintf("%s[%d]", path, r)
		if t != simdjson.TypeArray {
			return Grid{}, arcErr(name, rp, "got %s, want an array", simdKind(t))
		}
		ra, err := ri.Array(&rowArr)
		if err != nil {
			return Grid{}, arcErr(name, rp, "invalid JSON: %v", err)
		}
		var row []int64
		ci := ra.Iter()
		for c := 0; ; c++ {
			t := ci.Advance()
			if t == simdjson.TypeNone {
				break
			}
			if c >= MaxSize {
				return Grid{}, arcErr(name, rp, "more than %d columns", MaxSize)
			}
			cp := func() string { return fmt.Sprintf("%s[%d]", rp, c) }
			switch t {
			case simdjson.TypeInt:
				v, err := ci.Int()
				if err != nil {
					return Grid{}, arcErr(name, cp(), "invalid JSON: %v", err)
				}
				row = append(row, v)
			case simdjson.TypeUint, simdjson.TypeFloat:
				return Grid{}, arcErr(name, cp(), "number is not an integer colour")
			default:
				return Grid{}, arcErr(name, cp(), "got %s, want an integer colour", simdKind(t))
			}
		}
		rows = append(rows, row)
	}
	g, err := gridFromRows(path, rows)
	if err != nil {
		return Grid{}, arcErr(name, "", "%v", err)
	}
	return g, nil
}

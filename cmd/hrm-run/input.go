package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"

	"github.com/hrmgo/hrm/task/sudoku"
)

// Input limits. A puzzle line is 81 bytes, an NDJSON one with an id a few
// hundred: a longer line is not a puzzle, and reading it whole (or all of
// /dev/zero, which has no newline) could exhaust memory. Every puzzle is
// validated before any runs, so all of them are held, at 85 bytes each.
const maxLineBytes = 64 << 10

var maxPuzzles = 1 << 20 // a variable for the test of the limit

// bom is the UTF-8 byte order mark some editors put at the start of a file.
var bom = []byte("\xef\xbb\xbf")

// stdin is what -in - reads (a test replaces it).
var stdin io.Reader = os.Stdin

// item is one input puzzle with where it came from.
type item struct {
	id     string
	puzzle string
	line   int
}

// source reads puzzles one line at a time from a file of plain lines
// (blank lines and # comments skipped) or of NDJSON objects
// {"puzzle": "...", "id": ...}, decided by the first non-blank line.
type source struct {
	name    string
	sc      *bufio.Scanner
	closer  io.Closer
	line    int
	decided bool
	ndjson  bool
}

func openSource(path string) (*source, error) {
	s := &source{name: path}
	r := stdin
	if path == "-" {
		s.name = "stdin"
	} else {
		f, err := os.Open(path)
		if err != nil {
			return nil, badInput("%v", err)
		}
		r, s.closer = f, f
	}
	s.sc = bufio.NewScanner(r)
	s.sc.Buffer(make([]byte, 4096), maxLineBytes)
	return s, nil
}

func (s *source) close() {
	if s.closer != nil {
		s.closer.Close()
	}
}

// next returns the next puzzle, io.EOF after the last, or an error naming
// the line.
func (s *source) next() (item, error) {
	for s.sc.Scan() {
		s.line++
		b := s.sc.Bytes()
		if s.line == 1 {
			b = bytes.TrimPrefix(b, bom)
		}
		b = bytes.TrimSpace(b)
		if len(b) == 0 {
			continue
		}
		if !s.decided {
			s.decided, s.ndjson = true, b[0] == '{'
		}
		if s.ndjson {
			it, err := parseNDJSONLine(b)
			if err != nil {
				return item{}, badInput("%s line %d: %v", s.name, s.line, err)
			}
			it.line = s.line
			return it, nil
		}
		if b[0] == '#' {
			continue
		}
		return item{puzzle: string(b), line: s.line}, nil
	}
	if err := s.sc.Err(); err != nil {
		if errors.Is(err, bufio.ErrTooLong) {
			return item{}, badInput("%s line %d: longer than %d KiB, not a puzzle (one per line)", s.name, s.line+1, maxLineBytes>>10)
		}
		return item{}, badInput("%s: %v", s.name, err)
	}
	return item{}, io.EOF
}

// ndjsonLine is one input object. Only "puzzle" is required; "id" is echoed
// back (a string or a number).
type ndjsonLine struct {
	Puzzle *string          `json:"puzzle"`
	ID     *json.RawMessage `json:"id"`
}

func parseNDJSONLine(line []byte) (item, error) {
	var l ndjsonLine
	dec := json.NewDecoder(bytes.NewReader(line))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&l); err != nil {
		return item{}, err
	}
	if dec.More() {
		return item{}, fmt.Errorf("more than one JSON value")
	}
	if l.Puzzle == nil {
		return item{}, fmt.Errorf("no \"puzzle\" field")
	}
	it := item{puzzle: *l.Puzzle}
	if l.ID != nil {
		var s string
		var n json.Number
		if json.Unmarshal(*l.ID, &s) == nil {
			it.id = s
		} else if json.Unmarshal(*l.ID, &n) == nil {
			it.id = n.String()
		} else {
			return item{}, fmt.Errorf("\"id\" must be a string or a number")
		}
	}
	return it, nil
}

// puzzleSet holds validated puzzles compactly: their cells back to back,
// the ids of those that have one, and their input lines.
type puzzleSet struct {
	cells int
	grid  []uint8
	ids   map[int]string
	lines []int32
}

func (p *puzzleSet) add(g sudoku.Grid, it item) {
	if it.id != "" {
		if p.ids == nil {
			p.ids = map[int]string{}
		}
		p.ids[p.len()] = it.id
	}
	p.grid = append(p.grid, g...)
	p.lines = append(p.lines, int32(it.line))
}

func (p *puzzleSet) len() int { return len(p.lines) }
func (p *puzzleSet) at(i int) sudoku.Grid {
	return p.grid[i*p.cells : (i+1)*p.cells : (i+1)*p.cells]
}
func (p *puzzleSet) id(i int) string { return p.ids[i] }

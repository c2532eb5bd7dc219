package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/hrmgo/hrm/task/maze"
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
	maze   bool // given as {"maze": ...}
}

// source reads puzzles one line at a time from a file of plain lines
// (blank lines and # comments skipped) or of NDJSON objects
// {"puzzle": "...", "id": ...}, decided by the first non-blank line. A
// maze file that is not NDJSON is one maze, its rows the file's lines
// (mazeFile).
type source struct {
	name    string
	r       io.Reader
	sc      *bufio.Scanner
	closer  io.Closer
	line    int
	decided bool
	ndjson  bool
	peeked  *item // the first puzzle, read to choose a built-in model
	unread  []byte
	hasUnrd bool
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
	s.r = r
	s.sc = bufio.NewScanner(r)
	s.sc.Buffer(make([]byte, 4096), maxLineBytes)
	return s, nil
}

// reader is the input as a whole (an ARC task file), unread by lines.
func (s *source) reader() io.Reader { return s.r }

func (s *source) close() {
	if s.closer != nil {
		s.closer.Close()
	}
}

// raw returns the next line as it is (less a BOM at the start of the file
// and a '\r' before the newline), false at the end.
func (s *source) raw() ([]byte, bool, error) {
	if s.hasUnrd {
		s.hasUnrd = false
		s.line++
		return s.unread, true, nil
	}
	if !s.sc.Scan() {
		if err := s.sc.Err(); err != nil {
			if errors.Is(err, bufio.ErrTooLong) {
				return nil, false, badInput("%s line %d: longer than %d KiB, not a puzzle (one per line)", s.name, s.line+1, maxLineBytes>>10)
			}
			return nil, false, badInput("%s: %v", s.name, err)
		}
		return nil, false, nil
	}
	s.line++
	b := s.sc.Bytes()
	if s.line == 1 {
		b = bytes.TrimPrefix(b, bom)
	}
	return bytes.TrimSuffix(b, []byte{'\r'}), true, nil
}

// putBack makes b the next line raw returns.
func (s *source) putBack(b []byte) {
	s.unread, s.hasUnrd = append(s.unread[:0], b...), true
	s.line--
}

// next returns the next puzzle, io.EOF after the last, or an error naming
// the line.
func (s *source) next() (item, error) {
	if s.peeked != nil {
		it := *s.peeked
		s.peeked = nil
		return it, nil
	}
	for {
		b, ok, err := s.raw()
		if err != nil {
			return item{}, err
		}
		if !ok {
			return item{}, io.EOF
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
}

// firstLine returns the first non-blank line without consuming it (and
// without deciding the format): "" for an empty input.
func (s *source) firstLine() (string, error) {
	for {
		b, ok, err := s.raw()
		if err != nil || !ok {
			return "", err
		}
		if t := bytes.TrimSpace(b); len(t) > 0 {
			s.putBack(b)
			return string(t), nil
		}
	}
}

// peek returns the first puzzle without consuming it.
func (s *source) peek() (item, error) {
	it, err := s.next()
	if err == nil {
		s.peeked = &it
	}
	return it, err
}

// maxMazeLines bounds what a one-maze file may hold: 30 rows and some
// trailing blank lines; more is not one maze.
const maxMazeLines = 64

// mazeFile reads a file of mazes: NDJSON lines {"maze": ...} (next), or
// else the whole file as one maze, one row a line; ok false means NDJSON.
func (s *source) mazeFile() (it item, ndjson bool, err error) {
	var rows []string
	first := 0
	for {
		b, ok, err := s.raw()
		if err != nil {
			return item{}, false, err
		}
		if !ok {
			break
		}
		if len(rows) == 0 && len(bytes.TrimSpace(b)) == 0 {
			continue // leading blank lines
		}
		if len(rows) == 0 {
			if t := bytes.TrimSpace(b); t[0] == '{' {
				s.putBack(b)
				return item{}, true, nil
			}
			first = s.line
		}
		if len(rows) == maxMazeLines {
			return item{}, false, badInput("%s: more than %d lines: not one maze (a maze has at most %d rows; several mazes go in NDJSON lines {\"maze\": ...})", s.name, maxMazeLines, maze.MaxCells)
		}
		rows = append(rows, string(b))
	}
	if len(rows) == 0 {
		return item{}, false, io.EOF
	}
	s.decided = true
	return item{puzzle: strings.Join(rows, "\n"), line: first}, false, nil
}

// ndjsonLine is one input object: "puzzle" (a Sudoku) or "maze", and an
// optional "id", echoed back (a string or a number).
type ndjsonLine struct {
	Puzzle *string          `json:"puzzle"`
	Maze   *string          `json:"maze"`
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
	var it item
	switch {
	case l.Puzzle != nil && l.Maze != nil:
		return item{}, fmt.Errorf("both \"puzzle\" and \"maze\": one puzzle a line")
	case l.Puzzle != nil:
		it.puzzle = *l.Puzzle
	case l.Maze != nil:
		it.puzzle, it.maze = *l.Maze, true
	default:
		return item{}, fmt.Errorf("no \"puzzle\" field (or \"maze\")")
	}
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

// puzzleSet holds validated puzzles compactly: their tokens in the
// model's layout back to back, each puzzle's own side (a maze may be
// smaller than the model's square), the ids of those that have one, and
// their input lines.
type puzzleSet struct {
	cells int
	toks  []uint8
	sides []uint8
	ids   map[int]string
	lines []int32
}

func (p *puzzleSet) add(toks []uint8, side int, it item) {
	if it.id != "" {
		if p.ids == nil {
			p.ids = map[int]string{}
		}
		p.ids[p.len()] = it.id
	}
	p.toks = append(p.toks, toks...)
	p.sides = append(p.sides, uint8(side))
	p.lines = append(p.lines, int32(it.line))
}

func (p *puzzleSet) len() int { return len(p.lines) }
func (p *puzzleSet) at(i int) []uint8 {
	return p.toks[i*p.cells : (i+1)*p.cells : (i+1)*p.cells]
}
func (p *puzzleSet) side(i int) int  { return int(p.sides[i]) }
func (p *puzzleSet) id(i int) string { return p.ids[i] }

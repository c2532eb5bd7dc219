package runtime

import (
	"bytes"
	"fmt"
	"slices"
	"strconv"
)

// KeyIdentifiers is the optional tensor that names the puzzle-embedding
// rows: the official dataset's identifiers.json (index → name; an ARC
// model's rows are its tasks and their augmented variants, named
// "<task>_t<d>_<colour map>"). It holds one line "name\tid\n" per row,
// sorted by name, so that finding a task's variants in a table of a
// million rows reads a few pages of the mapped file, not all of it.
const KeyIdentifiers = "puzzle_identifiers"

// Identifier is one named puzzle-embedding row.
type Identifier struct {
	Name string
	ID   int32
}

// encodeIdentifiers builds the table of names[i] = the name of row i.
func encodeIdentifiers(names []string) ([]byte, error) {
	order := make([]int, len(names))
	for i, n := range names {
		if n == "" || bytes.ContainsAny([]byte(n), "\t\n") {
			return nil, fmt.Errorf("identifier %d (%q): empty, or holds a tab or newline", i, n)
		}
		order[i] = i
	}
	slices.SortFunc(order, func(a, b int) int {
		if names[a] < names[b] {
			return -1
		} else if names[a] > names[b] {
			return 1
		}
		return 0
	})
	var b []byte
	for k, i := range order {
		if k > 0 && names[order[k-1]] == names[i] {
			return nil, fmt.Errorf("identifier %q names rows %d and %d", names[i], order[k-1], i)
		}
		b = append(b, names[i]...)
		b = append(b, '\t')
		b = strconv.AppendInt(b, int64(i), 10)
		b = append(b, '\n')
	}
	return b, nil
}

// WithIdentifiers returns a copy of the model whose puzzle rows are named:
// names[i] is row i's (as in identifiers.json), one name per row.
func (m *Model) WithIdentifiers(names []string) (*Model, error) {
	if len(names) != m.Cfg.NumPuzzleIdentifiers {
		return nil, fmt.Errorf("%d identifiers for a puzzle table of %d rows", len(names), m.Cfg.NumPuzzleIdentifiers)
	}
	t, err := encodeIdentifiers(names)
	if err != nil {
		return nil, err
	}
	c := *m
	c.closer, c.idents = nil, t
	return &c, nil
}

// HasIdentifiers reports whether the model's puzzle rows are named.
func (m *Model) HasIdentifiers() bool { return m.idents != nil }

// IdentifiersWithPrefix returns, sorted by name, the identifiers whose
// name starts with prefix. A malformed line of the table (the file is
// untrusted and checked only as it is read) is an error.
func (m *Model) IdentifiersWithPrefix(prefix string) ([]Identifier, error) {
	t := m.idents
	if t == nil {
		return nil, fmt.Errorf("the model has no %s table", KeyIdentifiers)
	}
	line := func(off int) (start, end int) {
		start = bytes.LastIndexByte(t[:off], '\n') + 1
		end = start + bytes.IndexByte(t[start:], '\n') // t ends with '\n' (FromFile)
		return start, end
	}
	// lo and hi are line starts; the first line whose name is ≥ prefix
	// starts in [lo, hi].
	lo, hi := 0, len(t)
	for lo < hi {
		s, e := line((lo + hi) / 2)
		name, _, _ := bytes.Cut(t[s:e], []byte{'\t'})
		if string(name) < prefix {
			lo = e + 1
		} else {
			hi = s
		}
	}
	var out []Identifier
	for s := lo; s < len(t); {
		e := s + bytes.IndexByte(t[s:], '\n')
		name, id, ok := bytes.Cut(t[s:e], []byte{'\t'})
		if !bytes.HasPrefix(name, []byte(prefix)) {
			break
		}
		n, err := strconv.ParseInt(string(id), 10, 32)
		if !ok || err != nil || n < 0 || int(n) >= m.Cfg.NumPuzzleIdentifiers {
			return nil, fmt.Errorf("%s table: malformed line at byte %d: %q", KeyIdentifiers, s, t[s:e])
		}
		out = append(out, Identifier{Name: string(name), ID: int32(n)})
		s = e + 1
	}
	return out, nil
}

// checkPuzzleRow refuses a puzzle row with a non-finite value: a model
// loaded from a file checks its rows as they are used (see FromFile).
func (m *Model) checkPuzzleRow(id int32) error {
	n := m.Cfg.PuzzleEmbNdim
	if !m.lazyPuzzle || n == 0 {
		return nil
	}
	row := m.puzzleEmb[int(id)*n : int(id)*n+n]
	if i := firstNonFinite(row); i >= 0 {
		return fmt.Errorf("tensor %s: non-finite value %v in row %d", KeyPuzzleEmb, row[i], id)
	}
	return nil
}

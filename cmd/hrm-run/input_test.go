package main

import (
	"bytes"
	"io"
	"os"
	"path/filepath"
	goruntime "runtime"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// zeros is /dev/zero: endless, without a newline.
type zeros struct{}

func (zeros) Read(p []byte) (int, error) {
	clear(p)
	return len(p), nil
}

// The input is read a line at a time: a line too long to be a puzzle is
// an error naming it, found without reading the rest, in bounded memory.
func TestInputLineLimit(t *testing.T) {
	model := tinyModel(t)
	dir := t.TempDir()
	long := filepath.Join(dir, "long.txt")
	require.NoError(t, os.WriteFile(long, []byte(sample+"\n"+strings.Repeat("1", 32<<20)+"\n"+sample+"\n"), 0o644))
	var before, after goruntime.MemStats
	goruntime.GC()
	goruntime.ReadMemStats(&before)
	code, out, stderr := runCLI("-model", model, "-in", long)
	goruntime.ReadMemStats(&after)
	require.Equal(t, 2, code, stderr)
	require.Equal(t, "hrm-run: "+long+" line 2: longer than 64 KiB, not a puzzle (one per line)\n", stderr)
	require.Empty(t, out)
	require.Less(t, after.TotalAlloc-before.TotalAlloc, uint64(4<<20), "the 32 MB line is never held")

	old := stdin
	defer func() { stdin = old }()
	stdin = zeros{}
	code, _, stderr = runCLI("-model", model, "-in", "-")
	require.Equal(t, 2, code, stderr)
	require.Equal(t, "hrm-run: stdin line 1: longer than 64 KiB, not a puzzle (one per line)\n", stderr)

	if _, err := os.Stat("/dev/zero"); err == nil {
		code, _, stderr = runCLI("-model", model, "-in", "/dev/zero")
		require.Equal(t, 2, code, stderr)
		require.Contains(t, stderr, "/dev/zero line 1: longer than 64 KiB")
	}

	stdin = strings.NewReader("# two puzzles\n" + sample + "\r\n\n" + sample + "\n")
	code, out, stderr = runCLI("-model", model, "-in", "-")
	require.Equal(t, 0, code, stderr)
	require.Len(t, strings.Split(strings.TrimSpace(out), "\n"), 2)

	stdin = io.MultiReader(strings.NewReader("\n  \n"))
	code, _, stderr = runCLI("-model", model, "-in", "-")
	require.Equal(t, 2, code)
	require.Equal(t, "hrm-run: stdin: no puzzles\n", stderr)
}

// More puzzles than the limit is an error, before any is solved.
func TestInputPuzzleLimit(t *testing.T) {
	old := maxPuzzles
	defer func() { maxPuzzles = old }()
	maxPuzzles = 3
	p := filepath.Join(t.TempDir(), "p.txt")
	require.NoError(t, os.WriteFile(p, []byte(strings.Repeat(sample+"\n", 4)), 0o644))
	code, out, stderr := runCLI("-model", tinyModel(t), "-in", p)
	require.Equal(t, 2, code)
	require.Equal(t, "hrm-run: "+p+": more than 3 puzzles; split the input\n", stderr)
	require.Empty(t, out)
	require.NoError(t, os.WriteFile(p, []byte(strings.Repeat(sample+"\n", 3)), 0o644))
	code, _, stderr = runCLI("-model", tinyModel(t), "-in", p)
	require.Equal(t, 0, code, stderr)
}

// NDJSON lines: ids (string or number) are echoed, errors name the line.
func TestNDJSONLines(t *testing.T) {
	var b bytes.Buffer
	b.WriteString(`{"id": "x1", "puzzle": "` + sample + `"}` + "\n\n" + `{"puzzle": "` + sample + `", "id": 42}` + "\n")
	stdin = &b
	defer func() { stdin = os.Stdin }()
	code, out, stderr := runCLI("-model", tinyModel(t), "-in", "-", "-json")
	require.Equal(t, 0, code, stderr)
	lines := strings.Split(strings.TrimSpace(out), "\n")
	require.Len(t, lines, 2)
	require.Contains(t, lines[0], `"id":"x1"`)
	require.Contains(t, lines[1], `"id":"42"`)
	for _, tc := range []struct{ in, want string }{
		{`{"puzzle": "` + sample + `", "extra": 1}`, `line 1: json: unknown field "extra"`},
		{`{"puzzle": "` + sample + `"} {}`, "line 1: more than one JSON value"},
		{`{"puzzle": "` + sample + `", "id": [1]}`, `line 1: "id" must be a string or a number`},
		{`{"puzzle": "` + sample + `"}` + "\n" + sample, "line 2: invalid character"},
	} {
		stdin = strings.NewReader(tc.in)
		code, _, stderr := runCLI("-model", tinyModel(t), "-in", "-")
		require.Equal(t, 2, code, tc.in)
		require.Contains(t, stderr, "stdin "+tc.want, tc.in)
	}
}

// A UTF-8 byte order mark at the start of the input (or of -puzzle) is
// not part of the first puzzle, and does not hide NDJSON.
func TestInputBOM(t *testing.T) {
	model := tinyModel(t)
	dir := t.TempDir()
	const bomStr = "\xef\xbb\xbf"
	txt := filepath.Join(dir, "bom.txt")
	require.NoError(t, os.WriteFile(txt, []byte(bomStr+sample+"\r\n"+sample+"\r\n"), 0o644))
	code, out, stderr := runCLI("-model", model, "-in", txt)
	require.Equal(t, 0, code, stderr)
	require.Len(t, strings.Split(strings.TrimSpace(out), "\n"), 2)

	nd := filepath.Join(dir, "bom.ndjson")
	require.NoError(t, os.WriteFile(nd, []byte(bomStr+`{"id": "a", "puzzle": "`+sample+`"}`+"\n"), 0o644))
	code, out, stderr = runCLI("-model", model, "-in", nd, "-json")
	require.Equal(t, 0, code, stderr)
	require.Contains(t, out, `"id":"a"`)

	code, _, stderr = runCLI("-model", model, "-puzzle", bomStr+sample)
	require.Equal(t, 0, code, stderr)

	// Only at the start: elsewhere it is a bad character.
	require.NoError(t, os.WriteFile(txt, []byte(sample+"\n"+bomStr+sample+"\n"), 0o644))
	code, _, stderr = runCLI("-model", model, "-in", txt)
	require.Equal(t, 2, code)
	require.Contains(t, stderr, "line 2:")
}

package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

const stream = `{"Action":"start","Package":"example/a"}
{"Action":"run","Package":"example/a","Test":"TestOK"}
{"Action":"output","Package":"example/a","Test":"TestOK","Output":"=== RUN   TestOK\n"}
{"Action":"pass","Package":"example/a","Test":"TestOK"}
{"Action":"run","Package":"example/a","Test":"TestOK/sub"}
{"Action":"pass","Package":"example/a","Test":"TestOK/sub"}
{"Action":"output","Package":"example/a","Test":"TestGone","Output":"=== RUN   TestGone\n"}
{"Action":"output","Package":"example/a","Test":"TestGone","Output":"    a_test.go:12: data not present\n"}
{"Action":"output","Package":"example/a","Test":"TestGone","Output":"--- SKIP: TestGone (0.00s)\n"}
{"Action":"skip","Package":"example/a","Test":"TestGone"}
{"Action":"output","Package":"example/a","Output":"PASS\n"}
{"Action":"output","Package":"example/a","Output":"ok  \texample/a\t0.1s\n"}
{"Action":"pass","Package":"example/a"}
`

const failing = `{"Action":"output","Package":"example/b","Test":"TestBad","Output":"    b_test.go:3: wrong answer\n"}
{"Action":"output","Package":"example/b","Test":"TestBad","Output":"--- FAIL: TestBad (0.00s)\n"}
{"Action":"fail","Package":"example/b","Test":"TestBad"}
{"Action":"output","Package":"example/b","Output":"FAIL\texample/b\t0.1s\n"}
{"Action":"fail","Package":"example/b"}
`

func TestFilterAndReport(t *testing.T) {
	dir := t.TempDir()
	a := filepath.Join(dir, "a.jsonl")
	var out bytes.Buffer
	require.NoError(t, filter(strings.NewReader(stream), a, &out))
	require.Equal(t, "ok  \texample/a\t0.1s\n", out.String(), "what go test prints without -json")
	saved, err := os.ReadFile(a)
	require.NoError(t, err)
	require.Equal(t, stream, string(saved))

	m := filepath.Join(dir, "matrix.tsv")
	require.NoError(t, os.WriteFile(m, []byte("native\tPASS\t\nx86 Nehalem\tSKIP\tqemu-x86_64-static not found\n"), 0o644))
	out.Reset()
	require.NoError(t, summarise([]string{a}, m, &out))
	lines := strings.Split(strings.TrimSpace(out.String()), "\n")
	require.Equal(t, []string{
		"SKIP example/a TestGone (data not present)",
		`SKIP kernel matrix "x86 Nehalem" (qemu-x86_64-static not found)`,
		`tests: 1 passed (and 1 subtests), 1 kernel-matrix configurations passed, 0 failed, 2 skipped: example/a TestGone (data not present); kernel matrix "x86 Nehalem" (qemu-x86_64-static not found)`,
	}, lines)

	b := filepath.Join(dir, "b.jsonl")
	out.Reset()
	require.ErrorIs(t, filter(strings.NewReader(failing), b, &out), errFailed)
	require.Equal(t, "    b_test.go:3: wrong answer\n--- FAIL: TestBad (0.00s)\nFAIL\texample/b\t0.1s\n", out.String())
	out.Reset()
	require.ErrorIs(t, summarise([]string{a, b}, "", &out), errFailed)
	require.Contains(t, out.String(), "tests: 1 passed (and 1 subtests), 1 failed, 1 skipped")

	out.Reset()
	require.ErrorIs(t, filter(strings.NewReader(`{"Action":"build-output","ImportPath":"x","Output":"x.go:1: syntax error\n"}`+"\n"+`{"Action":"build-fail","ImportPath":"x"}`+"\n"), b, &out), errFailed)
	require.Equal(t, "x.go:1: syntax error\n", out.String())
}

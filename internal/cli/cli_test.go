package cli

import (
	"bytes"
	"errors"
	"flag"
	"fmt"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

func newSet(stderr *bytes.Buffer) (*flag.FlagSet, *float64, *int) {
	fs := flag.NewFlagSet("hrm-x", flag.ContinueOnError)
	var f float64
	FloatVar(fs, &f, "lr", 1e-3, "learning rate")
	n := fs.Int("n", 3, "count")
	fs.Usage = func() {
		fmt.Fprintln(stderr, "usage: hrm-x [flags]")
		fs.PrintDefaults()
	}
	return fs, &f, n
}

func TestParseOneLine(t *testing.T) {
	for _, args := range [][]string{{"-bogus"}, {"-n", "x"}, {"-lr", "NaN"}, {"-n"}} {
		var stderr bytes.Buffer
		fs, _, _ := newSet(&stderr)
		err := Parse(fs, args, &stderr)
		require.Error(t, err, "%v", args)
		require.Empty(t, stderr.String(), "%v: nothing printed, the caller prints the one line", args)
		require.NotContains(t, err.Error(), "\n")
		require.True(t, strings.HasSuffix(err.Error(), "(hrm-x -h for help)"), err.Error())
	}
	var stderr bytes.Buffer
	fs, _, _ := newSet(&stderr)
	require.ErrorIs(t, Parse(fs, []string{"-h"}, &stderr), flag.ErrHelp)
	require.Contains(t, stderr.String(), "usage: hrm-x")
	require.Contains(t, stderr.String(), "-lr value")
	require.Contains(t, stderr.String(), "(default 0.001)")
}

func TestFloatVarFinite(t *testing.T) {
	for _, s := range []string{"NaN", "nan", "Inf", "-Inf", "+inf", "1e400"} {
		var stderr bytes.Buffer
		fs, _, _ := newSet(&stderr)
		err := Parse(fs, []string{"-lr", s}, &stderr)
		require.Error(t, err, s)
		require.Contains(t, err.Error(), `invalid value "`+s+`" for flag -lr`)
	}
	var stderr bytes.Buffer
	fs, f, n := newSet(&stderr)
	require.NoError(t, Parse(fs, []string{"-lr", "-2.5e-3", "-n", "4"}, &stderr))
	require.Equal(t, -2.5e-3, *f)
	require.Equal(t, 4, *n)
	require.Equal(t, map[string]bool{"lr": true, "n": true}, Given(fs))
	_, err := ParseFinite("NaN")
	require.Error(t, err)
	v, err := ParseFinite("0.5")
	require.NoError(t, err)
	require.Equal(t, 0.5, v)
}

// failAfter accepts n bytes, then fails like a full disk.
type failAfter struct {
	n   int
	buf bytes.Buffer
}

var errFull = errors.New("no space left on device")

func (w *failAfter) Write(p []byte) (int, error) {
	if len(p) > w.n {
		k := w.n
		w.buf.Write(p[:k])
		w.n = 0
		return k, errFull
	}
	w.n -= len(p)
	return w.buf.Write(p)
}

func TestOutputSticky(t *testing.T) {
	w := &failAfter{n: 5}
	o := NewOutput(w)
	fmt.Fprint(o, "abc")
	require.NoError(t, o.Err())
	fmt.Fprint(o, "defg")
	fmt.Fprint(o, "h")
	require.ErrorIs(t, o.Err(), errFull)
	require.Contains(t, o.Err().Error(), "writing the output")
	require.Equal(t, "abcde", w.buf.String(), "nothing after the failure")
}

func TestBytesFlag(t *testing.T) {
	for in, want := range map[string]int64{"512M": 512 << 20, "2G": 2 << 30, "1.5GiB": 3 << 29, "64k": 64 << 10, "1000": 1000, "3GB": 3 << 30, "1T": 1 << 40} {
		var b Bytes
		require.NoError(t, b.Set(in), in)
		require.Equal(t, want, int64(b), in)
	}
	for _, in := range []string{"", "x", "NaN", "-1G", "0", "1Q", "inf"} {
		var b Bytes
		require.Error(t, b.Set(in), in)
	}
	require.Equal(t, "512 MiB", FormatBytes(512<<20))
	require.Equal(t, "2.50 GiB", FormatBytes(5<<29))
	require.Equal(t, "29.0 MiB", FormatBytes(29<<20))
	require.Equal(t, "100 B", FormatBytes(100))
	if TotalMemory() > 0 {
		require.LessOrEqual(t, DefaultMemBudget(), TotalMemory()/4)
	}
	require.LessOrEqual(t, DefaultMemBudget(), int64(1<<30))
}

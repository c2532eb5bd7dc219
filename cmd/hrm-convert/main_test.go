package main

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/hrmgo/hrm/runtime"
	"github.com/stretchr/testify/require"
)

func runCLI(args ...string) (int, string, string) {
	var out, errb bytes.Buffer
	code := run(args, &out, &errb)
	return code, out.String(), errb.String()
}

func TestConvert(t *testing.T) {
	dir := t.TempDir()
	out := filepath.Join(dir, "m.safetensors")
	code, stdout, stderr := runCLI("-o", out, "../../testdata/checkpoint")
	require.Equal(t, 0, code, stderr)
	require.Contains(t, stdout, "hrm_act_v1: hidden 64, attention 2 heads")
	require.Contains(t, stdout, "; task sudoku, vocab 11, f32\n")
	m, err := runtime.Load(out)
	require.NoError(t, err)
	require.Equal(t, 4, m.Cfg.HaltMaxSteps)
	m.Close()

	code, _, stderr = runCLI("-o", out, "-set", "halt_max_steps=16", "-set", "num_heads=2", "-set", "H_cycles=2", "-set", "L_cycles=2", "-set", "expansion=4",
		"../../testdata/goldens/a_tiny/weights_f32.safetensors")
	require.Equal(t, 0, code, stderr)
	m, err = runtime.Load(out)
	require.NoError(t, err)
	require.Equal(t, 16, m.Cfg.HaltMaxSteps)
	m.Close()
}

func TestConvertBadInput(t *testing.T) {
	dir := t.TempDir()
	junk := filepath.Join(dir, "junk")
	require.NoError(t, os.WriteFile(junk, []byte("not a checkpoint"), 0o644))
	out := filepath.Join(dir, "out.safetensors")
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"../../testdata/checkpoint"}, "-o OUT is required"},
		{[]string{"-o", out}, "want exactly one checkpoint argument"},
		{[]string{"-o", out, filepath.Join(dir, "missing")}, "no such file"},
		{[]string{"-o", out, junk}, "junk"},
		{[]string{"-o", out, "-set", "hidden_size=32", "../../testdata/checkpoint"}, "hidden_size = 32, but the tensors imply 64"},
		{[]string{"-o", out, "-set", "bogus", "../../testdata/checkpoint"}, "want key=value"},
		{[]string{"-o", out, "-task", "maze", "../../testdata/checkpoint"}, "task maze has 6 tokens"},
		{[]string{"-o", out, "-seq-len", "-3", "../../testdata/checkpoint"}, "-seq-len -3"},
	} {
		code, _, stderr := runCLI(tc.args...)
		require.Equal(t, 2, code, "%v: %s", tc.args, stderr)
		require.Contains(t, stderr, tc.want, "%v", tc.args)
		_, err := os.Stat(out)
		require.True(t, os.IsNotExist(err), "%v left an output file", tc.args)
	}
}

func TestConvertInt8(t *testing.T) {
	dir := t.TempDir()
	f32 := filepath.Join(dir, "f32.safetensors")
	i8 := filepath.Join(dir, "i8.safetensors")
	i8b := filepath.Join(dir, "i8b.safetensors")
	code, _, stderr := runCLI("-o", f32, "../../testdata/checkpoint")
	require.Equal(t, 0, code, stderr)
	code, stdout, stderr := runCLI("-quant", "int8", "-o", i8, f32)
	require.Equal(t, 0, code, stderr)
	require.Contains(t, stdout, "int8")
	code, _, stderr = runCLI("-quant", "int8", "-o", i8b, "../../testdata/checkpoint")
	require.Equal(t, 0, code, stderr)
	a, _ := os.ReadFile(i8)
	b, _ := os.ReadFile(i8b)
	require.Equal(t, a, b, "int8 from our f32 file and from the checkpoint are the same file")
	m, err := runtime.Load(i8)
	require.NoError(t, err)
	require.Equal(t, "int8", m.Metadata()[runtime.MetaQuant])
	m.Close()
	st8, _ := os.Stat(i8)
	st32, _ := os.Stat(f32)
	require.Less(t, st8.Size(), st32.Size()/2)

	code, _, stderr = runCLI("-quant", "int8", "-o", filepath.Join(dir, "x"), i8)
	require.Equal(t, 2, code)
	require.Contains(t, stderr, "already int8")
	code, _, stderr = runCLI("-quant", "int4", "-o", filepath.Join(dir, "x"), f32)
	require.Equal(t, 2, code)
	require.Contains(t, stderr, `-quant "int4"`)
}

// A TRM checkpoint (the layout pretrain.py writes) converts to float32 and
// int8, the token-mixing weights quantized too, and runs.
func TestConvertTRM(t *testing.T) {
	dir := t.TempDir()
	i8 := filepath.Join(dir, "trm8.safetensors")
	code, stdout, stderr := runCLI("-quant", "int8", "-o", i8, "../../testdata/checkpoint_trm")
	require.Equal(t, 0, code, stderr)
	require.Contains(t, stdout, "trm: hidden 64, mlp_t width 512")
	m, err := runtime.Load(i8)
	require.NoError(t, err)
	defer m.Close()
	require.Equal(t, runtime.QuantInt8, m.Metadata()[runtime.MetaQuant])
	names := map[string]bool{}
	for _, x := range m.Tensors() {
		names[x.Name] = true
	}
	require.True(t, names["L_level.layers.0.mlp_t.gate_up_proj.weight.q"], "mlp_t weights are int8")
	require.True(t, names["L_level.layers.1.mlp_t.down_proj.weight.q"])
	s, err := m.NewSession(1, 1)
	require.NoError(t, err)
	defer s.Close()
	require.NoError(t, s.Begin(make([]int32, 81), []int32{0}))
	require.NoError(t, s.Run(runtime.Options{}))
}

type fullWriter struct{}

func (fullWriter) Write(p []byte) (int, error) { return 0, errors.New("no space left on device") }

// A report that cannot be written is an error: the caller cannot tell
// what was written.
func TestConvertOutputFails(t *testing.T) {
	var stderr bytes.Buffer
	code := run([]string{"-o", filepath.Join(t.TempDir(), "m.safetensors"), "../../testdata/checkpoint"}, fullWriter{}, &stderr)
	require.Equal(t, 1, code)
	require.Equal(t, "hrm-convert: writing the output: no space left on device\n", stderr.String())
}

// -set refuses NaN and infinite numbers.
func TestConvertSetNonFinite(t *testing.T) {
	out := filepath.Join(t.TempDir(), "m.safetensors")
	for _, v := range []string{"NaN", "inf", "-Infinity", "1e999"} {
		code, _, stderr := runCLI("-o", out, "-set", "rope_theta="+v, "../../testdata/checkpoint")
		require.Equal(t, 2, code, "%s: %s", v, stderr)
		require.Contains(t, stderr, "rope_theta="+v+": not a", v)
		_, err := os.Stat(out)
		require.True(t, os.IsNotExist(err))
	}
}

// A bad flag is one line naming it, not the whole usage.
func TestConvertBadFlagOneLine(t *testing.T) {
	for _, args := range [][]string{{"-bogus"}, {"-seq-len", "x"}, {"-o"}, {"-set", "nokey"}} {
		code, stdout, stderr := runCLI(args...)
		require.Equal(t, 2, code, "%v", args)
		require.Empty(t, stdout)
		require.Equal(t, 1, strings.Count(stderr, "\n"), "%v:\n%s", args, stderr)
		require.True(t, strings.HasPrefix(stderr, "hrm-convert: "), stderr)
		require.Contains(t, stderr, "(hrm-convert -h for help)")
	}
	code, _, stderr := runCLI("-h")
	require.Equal(t, 0, code)
	require.Contains(t, stderr, "usage: hrm-convert")
}

// An int8 file converted with the default -quant f32 is dequantized, and
// the report says what was written.
func TestConvertInt8ToF32(t *testing.T) {
	dir := t.TempDir()
	f32, i8, back := filepath.Join(dir, "f32.st"), filepath.Join(dir, "i8.st"), filepath.Join(dir, "back.st")
	code, _, stderr := runCLI("-o", f32, "../../testdata/checkpoint")
	require.Equal(t, 0, code, stderr)
	code, stdout, stderr := runCLI("-quant", "int8", "-o", i8, f32)
	require.Equal(t, 0, code, stderr)
	require.True(t, strings.HasSuffix(stdout, ", int8\n"), stdout)
	code, stdout, stderr = runCLI("-o", back, i8)
	require.Equal(t, 0, code, stderr)
	require.True(t, strings.HasSuffix(stdout, ", f32 (dequantized from int8)\n"), stdout)

	m, err := runtime.Load(back)
	require.NoError(t, err)
	defer m.Close()
	require.Equal(t, runtime.QuantF32, m.Metadata()[runtime.MetaQuant])
	q, err := runtime.Load(i8)
	require.NoError(t, err)
	defer q.Close()
	want := filepath.Join(dir, "want.st")
	require.NoError(t, q.Dequantize().Save(want))
	a, _ := os.ReadFile(want)
	b, _ := os.ReadFile(back)
	require.Equal(t, a, b, "the file holds the int8 model's dequantized weights")
}

// -identifiers keeps the official names of the puzzle rows, from a torch
// checkpoint and from our own files alike, and refuses a list that does not
// match the table.
func TestConvertIdentifiers(t *testing.T) {
	dir := t.TempDir()
	ids := filepath.Join(dir, "identifiers.json")
	require.NoError(t, os.WriteFile(ids, []byte(`["<blank>"]`), 0o644))
	out := filepath.Join(dir, "m.safetensors")
	code, _, stderr := runCLI("-o", out, "-identifiers", ids, "../../testdata/checkpoint")
	require.Equal(t, 0, code, stderr)
	m, err := runtime.Load(out)
	require.NoError(t, err)
	got, err := m.IdentifiersWithPrefix("<blank>")
	require.NoError(t, err)
	require.Equal(t, []runtime.Identifier{{Name: "<blank>", ID: 0}}, got)
	m.Close()

	out8 := filepath.Join(dir, "m8.safetensors")
	code, _, stderr = runCLI("-quant", "int8", "-o", out8, out)
	require.Equal(t, 0, code, stderr)
	m, err = runtime.Load(out8)
	require.NoError(t, err)
	require.True(t, m.HasIdentifiers(), "quantizing keeps the names")
	m.Close()

	require.NoError(t, os.WriteFile(ids, []byte(`["<blank>", "task_a"]`), 0o644))
	code, _, stderr = runCLI("-o", out, "-identifiers", ids, "../../testdata/checkpoint")
	require.Equal(t, 2, code)
	require.Contains(t, stderr, "2 identifiers for a puzzle table of 1 rows")
	require.NoError(t, os.WriteFile(ids, []byte(`{"a": 1}`), 0o644))
	code, _, stderr = runCLI("-o", out, "-identifiers", ids, out8)
	require.Equal(t, 2, code)
	require.Contains(t, stderr, "want a JSON list of identifier names")
}

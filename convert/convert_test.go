package convert

import (
	"archive/zip"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/hrmgo/hrm/loader"
	"github.com/hrmgo/hrm/runtime"
	"github.com/stretchr/testify/require"
)

const (
	tinyDir  = "../testdata/goldens/a_tiny"
	ckptDir  = "../testdata/checkpoint"
	tinyYAML = "../testdata/checkpoint/all_config.yaml"
)

func tinyConfig() map[string]any {
	return map[string]any{
		"seq_len": 81, "vocab_size": 11, "hidden_size": 64, "num_heads": 2, "H_layers": 1, "L_layers": 1,
		"H_cycles": 2, "L_cycles": 2, "expansion": 4, "puzzle_emb_ndim": 0, "num_puzzle_identifiers": 1,
		"pos_encodings": "rope", "rms_norm_eps": 1e-05, "rope_theta": 10000.0, "halt_max_steps": 4, "halt_exploration_prob": 0.1,
	}
}

func requireSameModel(t *testing.T, a, b *runtime.Model) {
	t.Helper()
	require.Equal(t, a.Cfg, b.Cfg)
	require.Equal(t, a.Vocab, b.Vocab)
	ta, tb := a.Tensors(), b.Tensors()
	require.Equal(t, len(ta), len(tb))
	for i := range ta {
		require.Equal(t, ta[i].Name, tb[i].Name)
		require.Equal(t, ta[i].Shape, tb[i].Shape)
		require.Equal(t, ta[i].Data, tb[i].Data, "tensor %s", ta[i].Name)
	}
}

// The released layout (torch.save zip "checkpoint" + all_config.yaml, bf16
// H_init/L_init, _orig_mod. prefix) imports to exactly the same model as the
// safetensors form of the same weights.
func TestImportTorchCheckpointMatchesSafetensors(t *testing.T) {
	fromST, err := Import(filepath.Join(tinyDir, "weights_f32.safetensors"), Options{Config: tinyConfig()})
	require.NoError(t, err)
	fromDir, err := Import(ckptDir, Options{})
	require.NoError(t, err)
	requireSameModel(t, fromST, fromDir)
	require.Equal(t, "sudoku", fromDir.Vocab.Task)
	fromFile, err := Import(filepath.Join(ckptDir, "checkpoint"), Options{})
	require.NoError(t, err)
	requireSameModel(t, fromST, fromFile)
	fromCkptST, err := Import(filepath.Join(tinyDir, "weights_ckpt.safetensors"), Options{ConfigPath: tinyYAML})
	require.NoError(t, err)
	requireSameModel(t, fromST, fromCkptST)
}

func TestImportDerivesSizes(t *testing.T) {
	cfg := tinyConfig()
	for _, k := range []string{"vocab_size", "hidden_size", "H_layers", "L_layers", "puzzle_emb_ndim", "num_puzzle_identifiers", "seq_len"} {
		delete(cfg, k)
	}
	m, err := Import(filepath.Join(tinyDir, "weights_f32.safetensors"), Options{Config: cfg})
	require.NoError(t, err)
	require.Equal(t, 64, m.Cfg.HiddenSize)
	require.Equal(t, 11, m.Cfg.VocabSize)
	require.Equal(t, 81, m.Cfg.SeqLen) // from the task: sudoku
	require.Equal(t, 1, m.Cfg.HLayers)
}

func TestImportRefusesMismatches(t *testing.T) {
	path := filepath.Join(tinyDir, "weights_f32.safetensors")
	for _, tc := range []struct {
		set  map[string]any
		opt  Options
		want string
	}{
		{map[string]any{"hidden_size": 128}, Options{}, "config hidden_size = 128, but the tensors imply 64"},
		{map[string]any{"vocab_size": 12}, Options{}, "vocab_size = 12, but the tensors imply 11"},
		{map[string]any{"H_layers": 4}, Options{}, "H_layers = 4, but the tensors imply 1"},
		{map[string]any{"expansion": 8}, Options{}, "expansion 8 gives an MLP width of 512"},
		{map[string]any{"pos_encodings": "learned"}, Options{}, "no embed_pos.embedding_weight tensor"},
		{map[string]any{"num_heads": 3}, Options{}, "not a multiple of num_heads 3"},
		{map[string]any{"colour": 3}, Options{}, `unknown field "colour"`},
		{nil, Options{Task: "maze"}, "task maze has 6 tokens, the checkpoint's vocabulary has 11"},
		{nil, Options{Task: "chess"}, `unknown task "chess"`},
	} {
		cfg := tinyConfig()
		for k, v := range tc.set {
			cfg[k] = v
		}
		opt := tc.opt
		opt.Config = cfg
		_, err := Import(path, opt)
		require.ErrorContains(t, err, tc.want, "%v", tc.set)
	}
	cfg := tinyConfig()
	delete(cfg, "num_heads")
	_, err := Import(path, Options{Config: cfg})
	require.ErrorContains(t, err, "num_heads not given")
}

// writeST writes tensors renamed and/or filtered from the tiny f32 weights.
func writeST(t *testing.T, rename func(string) string, skip func(string) bool, mod func(*loader.Tensor)) string {
	f, err := loader.Open(filepath.Join(tinyDir, "weights_f32.safetensors"))
	require.NoError(t, err)
	defer f.Close()
	var ts []loader.Tensor
	for _, x := range f.Tensors() {
		if skip != nil && skip(x.Name) {
			continue
		}
		x.Name = rename(x.Name)
		x.Data = append([]byte(nil), x.Data...)
		if mod != nil {
			mod(&x)
		}
		ts = append(ts, x)
	}
	p := filepath.Join(t.TempDir(), "w.safetensors")
	require.NoError(t, loader.WriteFile(p, nil, ts))
	return p
}

func TestImportPrefixes(t *testing.T) {
	ref, err := Import(filepath.Join(tinyDir, "weights_f32.safetensors"), Options{Config: tinyConfig()})
	require.NoError(t, err)
	for _, prefix := range []string{"_orig_mod.model.inner.", "model.inner.", "inner.", ""} {
		p := writeST(t, func(n string) string { return prefix + strings.TrimPrefix(n, "model.inner.") }, nil, nil)
		m, err := Import(p, Options{Config: tinyConfig()})
		require.NoError(t, err, prefix)
		requireSameModel(t, ref, m)
	}
	p := writeST(t, func(n string) string {
		if strings.Contains(n, "lm_head") {
			return "other." + n
		}
		return n
	}, nil, nil)
	_, err = Import(p, Options{Config: tinyConfig()})
	require.ErrorContains(t, err, "other.model.inner.lm_head.weight: does not carry the prefix")

	p = writeST(t, func(n string) string { return n }, func(n string) bool { return strings.Contains(n, "o_proj") && strings.Contains(n, "H_level") }, nil)
	_, err = Import(p, Options{Config: tinyConfig()})
	require.ErrorContains(t, err, "model.inner.H_level.layers.0.self_attn.o_proj.weight: missing")

	p = writeST(t, func(n string) string { return n }, nil, func(x *loader.Tensor) {
		if strings.HasSuffix(x.Name, "q_head.bias") {
			x.Data[0], x.Data[1], x.Data[2], x.Data[3] = 0, 0, 0xc0, 0x7f // NaN
		}
	})
	_, err = Import(p, Options{Config: tinyConfig()})
	require.ErrorContains(t, err, "q_head.bias: non-finite value")
}

func TestImportHostileTorchZip(t *testing.T) {
	dir := t.TempDir()
	// Not a checkpoint at all.
	p := filepath.Join(dir, "checkpoint")
	require.NoError(t, os.WriteFile(p, []byte("PK\x03\x04garbage"), 0o644))
	_, err := Import(p, Options{Config: tinyConfig()})
	require.ErrorContains(t, err, "not a readable torch zip checkpoint")

	// A zip without data.pkl.
	f, err := os.Create(p)
	require.NoError(t, err)
	zw := zip.NewWriter(f)
	w, _ := zw.Create("archive/version")
	w.Write([]byte("3\n"))
	require.NoError(t, zw.Close())
	f.Close()
	_, err = Import(p, Options{Config: tinyConfig()})
	require.ErrorContains(t, err, "no data.pkl")

	// A real checkpoint whose storage record is truncated.
	src, err := zip.OpenReader(filepath.Join(ckptDir, "checkpoint"))
	require.NoError(t, err)
	defer src.Close()
	f, err = os.Create(p)
	require.NoError(t, err)
	zw = zip.NewWriter(f)
	for _, e := range src.File {
		r, err := e.Open()
		require.NoError(t, err)
		b := make([]byte, e.UncompressedSize64)
		_, err = r.Read(b)
		r.Close()
		if strings.HasSuffix(e.Name, "data/12") {
			b = b[:100]
		}
		w, err := zw.Create(e.Name)
		require.NoError(t, err)
		w.Write(b)
	}
	require.NoError(t, zw.Close())
	f.Close()
	_, err = Import(p, Options{ConfigPath: tinyYAML})
	require.ErrorContains(t, err, "storage 12 holds 100 bytes")
}

func TestReadConfigFileStrict(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "all_config.yaml")
	b, err := os.ReadFile(tinyYAML)
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(p, []byte(strings.Replace(string(b), "arch:\n", "arch:\n  attn_dropout: 0.1\n", 1)), 0o644))
	_, err = Import(filepath.Join(tinyDir, "weights_ckpt.safetensors"), Options{ConfigPath: p})
	require.ErrorContains(t, err, "unknown arch fields attn_dropout")
	// A known field that contradicts the tensors names the field.
	require.NoError(t, os.WriteFile(p, []byte(strings.Replace(string(b), "arch:\n", "arch:\n  mlp_t: true\n", 1)), 0o644))
	_, err = Import(filepath.Join(tinyDir, "weights_ckpt.safetensors"), Options{ConfigPath: p})
	require.ErrorContains(t, err, "config mlp_t = true, but the tensors imply false")
	require.NoError(t, os.WriteFile(p, []byte(strings.Replace(string(b), "hrm.hrm_act_v1@", "trm@", 1)), 0o644))
	_, err = Import(filepath.Join(tinyDir, "weights_ckpt.safetensors"), Options{ConfigPath: p})
	require.ErrorContains(t, err, "is not HRM ACT-v1")
}

// The TRM layout pretrain.py writes — a step_<N> torch.save zip of the
// (EMA) state dict with the _orig_mod. prefix, bf16 H_init/L_init, the
// mlp_t weights, and its all_config.yaml (arch.name, mlp_t, puzzle_emb_len,
// no_ACT_continue, data_paths) — imports to exactly the golden model.
func TestImportTRMCheckpoint(t *testing.T) {
	const dir = "../testdata/goldens/trm_mlp_sudoku"
	raw, err := os.ReadFile(filepath.Join(dir, "case.json"))
	require.NoError(t, err)
	var gc struct {
		Config map[string]any `json:"config"`
	}
	require.NoError(t, json.Unmarshal(raw, &gc))
	gc.Config["halt_exploration_prob"] = 0.1 // the training setting all_config.yaml records
	want, err := Import(filepath.Join(dir, "weights_f32.safetensors"), Options{Config: gc.Config})
	require.NoError(t, err)
	require.Equal(t, runtime.ArchTRM, want.Cfg.Arch)
	require.True(t, want.Cfg.MLPT)
	for _, path := range []string{"../testdata/checkpoint_trm", "../testdata/checkpoint_trm/step_1000"} {
		got, err := Import(path, Options{})
		require.NoError(t, err, path)
		requireSameModel(t, want, got)
		require.Equal(t, "sudoku", got.Vocab.Task)
	}
	// The same weights under the uncompiled prefix (DISABLE_COMPILE).
	got, err := Import(filepath.Join(dir, "weights_f32.safetensors"), Options{ConfigPath: "../testdata/checkpoint_trm/all_config.yaml"})
	require.NoError(t, err)
	requireSameModel(t, want, got)
}

// A TRM config that disagrees with the tensors is refused with the field
// named.
func TestImportTRMRefusesMismatches(t *testing.T) {
	const y = "../testdata/checkpoint_trm/all_config.yaml"
	b, err := os.ReadFile(y)
	require.NoError(t, err)
	for _, tc := range []struct{ from, to, want string }{
		{"puzzle_emb_len: 16", "puzzle_emb_len: 8", "covers 97 positions, but seq_len 81 + puzzle_emb_len 8 = 89"},
		{"mlp_t: true", "mlp_t: false", "config mlp_t = false, but the tensors imply true"},
		{"no_ACT_continue: true", "no_ACT_continue: false", "no_ACT_continue = false: only true is supported"},
		{"recursive_reasoning.trm@", "recursive_reasoning.trm_singlez@", "trm_singlez, trm_hier6, ...) are not supported"},
		{"L_layers: 2", "L_layers: 3", "config L_layers = 3, but the tensors imply 2"},
		{"expansion: 4", "expansion: 2", "expansion 2 over 97 positions gives a token-MLP width of 256 (512 rows)"},
	} {
		p := filepath.Join(t.TempDir(), "all_config.yaml")
		require.NoError(t, os.WriteFile(p, []byte(strings.Replace(string(b), tc.from, tc.to, 1)), 0o644))
		_, err := Import("../testdata/checkpoint_trm/step_1000", Options{ConfigPath: p})
		require.ErrorContains(t, err, tc.want, tc.to)
	}
	// An HRM checkpoint with a TRM config, and the reverse.
	_, err = Import(filepath.Join(tinyDir, "weights_f32.safetensors"), Options{ConfigPath: y})
	require.ErrorContains(t, err, "config arch = trm, but the tensors are a hrm_act_v1 model")
	_, err = Import("../testdata/checkpoint_trm/step_1000", Options{ConfigPath: tinyYAML})
	require.ErrorContains(t, err, "config arch = hrm_act_v1, but the tensors are a trm model")
	_, err = Import(t.TempDir(), Options{})
	require.ErrorContains(t, err, "no checkpoint file")
}

// A byte flipped inside a stored record (a storage, or data.pkl) of the
// torch zip is caught by its CRC-32.
func TestImportTorchZipCRC(t *testing.T) {
	orig, err := os.ReadFile(filepath.Join(ckptDir, "checkpoint"))
	require.NoError(t, err)
	zr, err := zip.OpenReader(filepath.Join(ckptDir, "checkpoint"))
	require.NoError(t, err)
	defer zr.Close()
	for _, name := range []string{"checkpoint/data/12", "checkpoint/data.pkl"} {
		var off int64 = -1
		for _, f := range zr.File {
			if f.Name == name {
				require.Equal(t, zip.Store, f.Method, "torch.save stores records uncompressed")
				off, err = f.DataOffset()
				require.NoError(t, err)
				off += int64(f.UncompressedSize64) / 2
			}
		}
		require.GreaterOrEqual(t, off, int64(0), name)
		dir := t.TempDir()
		b := append([]byte(nil), orig...)
		b[off] ^= 0x10
		require.NoError(t, os.WriteFile(filepath.Join(dir, "checkpoint"), b, 0o644))
		_, err := Import(filepath.Join(dir, "checkpoint"), Options{ConfigPath: tinyYAML})
		require.ErrorContains(t, err, "record "+name+": CRC-32", name)
	}
}

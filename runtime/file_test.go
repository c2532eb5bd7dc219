package runtime_test

import (
	"math"
	"path/filepath"
	"testing"

	"github.com/hrmgo/hrm/loader"
	"github.com/hrmgo/hrm/runtime"
	"github.com/stretchr/testify/require"
)

// A weight file is untrusted input: every inconsistency between metadata
// and tensors is refused with an error naming the problem.
func TestLoadRefusesInconsistentFiles(t *testing.T) {
	f32, _, _ := tinyModel(t)
	i8, err := f32.Quantize()
	require.NoError(t, err)
	type variant struct {
		name string
		base *runtime.Model
		meta func(map[string]string)
		ts   func([]loader.Tensor) []loader.Tensor
		want string
	}
	clone := func(ts []loader.Tensor) []loader.Tensor {
		out := make([]loader.Tensor, len(ts))
		for i, x := range ts {
			x.Data = append([]byte(nil), x.Data...)
			out[i] = x
		}
		return out
	}
	find := func(ts []loader.Tensor, name string) int {
		for i, x := range ts {
			if x.Name == name {
				return i
			}
		}
		t.Fatalf("no tensor %s", name)
		return -1
	}
	for _, v := range []variant{
		{"format", f32, func(m map[string]string) { m[runtime.MetaFormat] = "gguf" }, nil, `metadata format = "gguf"`},
		{"version", f32, func(m map[string]string) { m[runtime.MetaFormatVersion] = "9" }, nil, `format version "9"`},
		{"arch", f32, func(m map[string]string) { m[runtime.MetaArch] = "trm" }, nil, `metadata arch "trm" disagrees`},
		{"config json", f32, func(m map[string]string) { m[runtime.MetaConfig] = `{"hidden_size": "big"}` }, nil, "metadata config"},
		{"config unknown field", f32, func(m map[string]string) { m[runtime.MetaConfig] = `{"hidden_size": 64, "colour": 1}` }, nil, `unknown field "colour"`},
		{"vocab", f32, func(m map[string]string) { m[runtime.MetaVocab] = `{"task":"sudoku","tokens":["a"]}` }, nil, "1 token symbols for vocab_size 11"},
		{"quant", f32, func(m map[string]string) { m[runtime.MetaQuant] = "int4" }, nil, `quantization scheme "int4"`},
		{"missing", f32, nil, func(ts []loader.Tensor) []loader.Tensor { return append(ts[:2], ts[3:]...) }, "tensor embed_tokens.embedding_weight: missing"},
		{"extra", f32, nil, func(ts []loader.Tensor) []loader.Tensor {
			return append(ts, loader.F32Tensor("zz.extra", []int{1}, []float32{1}))
		}, "tensor zz.extra: not part of"},
		{"shape", f32, nil, func(ts []loader.Tensor) []loader.Tensor {
			i := find(ts, runtime.KeyLMHead)
			ts[i].Shape = []int{64, 11}
			return ts
		}, "tensor lm_head.weight: shape [64 11], config needs [11 64]"},
		{"dtype", f32, nil, func(ts []loader.Tensor) []loader.Tensor {
			i := find(ts, runtime.KeyQHeadB)
			ts[i] = loader.I32Tensor(runtime.KeyQHeadB, []int{2}, []int32{1, 2})
			return ts
		}, "tensor q_head.bias: dtype I32, want F32"},
		{"nan", f32, nil, func(ts []loader.Tensor) []loader.Tensor {
			i := find(ts, runtime.KeyHInit)
			ts[i] = loader.F32Tensor(runtime.KeyHInit, []int{64}, append([]float32{float32(math.NaN())}, make([]float32, 63)...))
			return ts
		}, "tensor H_init: non-finite value"},
		{"int8 scale", i8, nil, func(ts []loader.Tensor) []loader.Tensor {
			i := find(ts, "L_level.layers.0.self_attn.o_proj.weight.scale")
			v := make([]float32, 64)
			v[3] = float32(math.Inf(1))
			ts[i] = loader.F32Tensor(ts[i].Name, []int{64}, v)
			return ts
		}, "o_proj.weight: quant: scale of row 3"},
		{"int8 rowsum", i8, nil, func(ts []loader.Tensor) []loader.Tensor {
			i := find(ts, "H_level.layers.0.mlp.down_proj.weight.rowsum")
			ts[i].Data[0] ^= 1
			return ts
		}, "down_proj.weight: asm: packed int8 matrix: row sum 0"},
		{"int8 config", i8, func(m map[string]string) { m[runtime.MetaQuantConfig] = "{}" }, nil, "int8 quantization config"},
	} {
		t.Run(v.name, func(t *testing.T) {
			meta := v.base.Metadata()
			if v.meta != nil {
				v.meta(meta)
			}
			ts := clone(v.base.Tensors())
			if v.ts != nil {
				ts = v.ts(ts)
			}
			p := filepath.Join(t.TempDir(), "m.safetensors")
			require.NoError(t, loader.WriteFile(p, meta, ts))
			_, err := runtime.Load(p)
			require.ErrorContains(t, err, v.want)
		})
	}
}

package arc

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/hrmgo/hrm/task"
)

func FuzzARCTask(f *testing.F) {
	pair := `{"input":[[1,2],[3,4]],"output":[[5]]}`
	for _, s := range []string{
		`{"train":[` + pair + `],"test":[` + pair + `]}`,
		`{"train":[` + pair + `,` + pair + `],"test":[{"input":[[0]]}],"name":"x"}`,
		`{"train":[{"input":[[1,2],[3]],"output":[[1]]}],"test":[` + pair + `]}`,
		`{"train":[{"input":[[10]],"output":[[1]]}],"test":[` + pair + `]}`,
		`{"train":[{"input":[[1.0]],"output":[[-0]]}],"test":[` + pair + `]}`,
		`{"tr\u0061in":[` + pair + `],"test":[` + pair + `],"x":"\ud83d\ude00"}`,
		`{"x":"\udc00","train":[` + pair + `],"test":[` + pair + `]}`,
		`{"train":[` + pair + `],"test":[` + pair + `]} {}`,
		`[]`, `{}`, ``, `null`,
	} {
		f.Add([]byte(s))
	}
	b, _ := randomTaskJSON(2) // compact JSON
	f.Add(b)
	f.Fuzz(func(t *testing.T, data []byte) {
		tk, err := parseBoth(t, "fuzz", data)
		if err != nil {
			require.True(t, strings.HasPrefix(err.Error(), "arc: fuzz: "), err.Error())
			return
		}
		require.NotEmpty(t, tk.Train)
		require.NotEmpty(t, tk.Test)
		for _, set := range [][]Pair{tk.Train, tk.Test} {
			for _, p := range set {
				require.NoError(t, p.Input.Validate())
				for _, g := range []Grid{p.Input, p.Output} {
					if g.Empty() {
						continue
					}
					enc, err := Encode(g, 0, 0)
					require.NoError(t, err)
					dec, err := Decode(enc)
					require.NoError(t, err)
					require.True(t, g.Equal(dec))
					for d := 0; d < task.NumDihedral; d++ {
						require.True(t, g.Equal(g.Dihedral(d).Dihedral(task.DihedralInverse[d])))
					}
				}
			}
		}
		m := RandomColorMap(task.NewPCG(uint64(len(data)), 0))
		aug := tk.Augment(len(data)%8, m)
		for i, p := range aug.Test {
			require.True(t, tk.Test[i].Input.Equal(Unaugment(p.Input, len(data)%8, m)))
		}
	})
}

package arc

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/hrmgo/hrm/task"
)

// parseBoth parses with encoding/json and, when the CPU supports it, with
// simdjson, and requires identical outcomes (both fail, or equal tasks).
func parseBoth(t testing.TB, name string, data []byte) (*Task, error) {
	t.Helper()
	a, errA := parseStd(name, data)
	if !simdSupported() {
		return a, errA
	}
	b, _, errB := parseSimd(name, data, nil)
	require.Equal(t, errA == nil, errB == nil, "std err %v, simd err %v for %q", errA, errB, data)
	if errA == nil {
		require.True(t, a.Equal(b), "tasks differ for %q", data)
	}
	return a, errA
}

func TestARCParseFixtures(t *testing.T) {
	b, err := os.ReadFile("testdata/ok/ok_basic.json")
	require.NoError(t, err)
	tk, err := parseBoth(t, "ok_basic", b)
	require.NoError(t, err)
	require.Equal(t, "ok_basic", tk.Name)
	require.Len(t, tk.Train, 2)
	require.Len(t, tk.Test, 1)
	require.Equal(t, [][]int{{0, 1}, {2, 3}}, tk.Train[0].Input.Rows())
	require.Equal(t, [][]int{{6}, {5}, {4}}, tk.Train[1].Output.Rows())
	require.Equal(t, 1, tk.Test[0].Input.H)
	require.Equal(t, 4, tk.Test[0].Input.W)

	loaded, err := LoadTask("testdata/ok/ok_basic.json")
	require.NoError(t, err)
	require.True(t, tk.Equal(loaded))

	tasks, err := LoadDir("testdata/ok")
	require.NoError(t, err)
	require.Len(t, tasks, 2)
	require.Equal(t, "ok_basic", tasks[0].Name)
	h := tasks[1]
	require.Equal(t, "ok_hidden_test_output", h.Name)
	require.True(t, h.Test[0].Output.Empty())
	require.Equal(t, [][]int{{2, 2}}, h.Train[0].Output.Rows())

	_, err = LoadDir("testdata/bad")
	require.ErrorContains(t, err, "bad_colour.json")
	_, err = LoadDir("testdata/nonexistent")
	require.Error(t, err)

	for file, want := range map[string]string{
		"bad_ragged":         "arc: bad_ragged: train[0].input: not rectangular: row 1 has 1 columns, row 0 has 2",
		"bad_colour":         "arc: bad_colour: test[0].input[0][2]: colour 10 outside 0..9",
		"bad_missing_output": `arc: bad_missing_output: train[1]: missing "output"`,
	} {
		_, err := LoadTask("testdata/bad/" + file + ".json")
		require.EqualError(t, err, want)
		b, _ := os.ReadFile("testdata/bad/" + file + ".json")
		_, err = parseBoth(t, file, b)
		require.EqualError(t, err, want)
	}
}

func TestARCParseErrors(t *testing.T) {
	okPair := `{"input":[[1]],"output":[[1]]}`
	mk := func(train, test string) string { return `{"train":[` + train + `],"test":[` + test + `]}` }
	rows := func(n, w int) string {
		r := "[" + strings.TrimSuffix(strings.Repeat("0,", w), ",") + "]"
		return "[" + strings.TrimSuffix(strings.Repeat(r+",", n), ",") + "]"
	}
	cases := []struct {
		in, want string
		syntax   bool // the message wording may differ between parsers
	}{
		{`{"train":[],"test":[` + okPair + `]}`, "f: train: no pairs", false},
		{`{"train":[` + okPair + `]}`, `f: missing "test"`, false},
		{`{"test":[` + okPair + `]}`, `f: missing "train"`, false},
		{`{"Train":[` + okPair + `],"test":[` + okPair + `]}`, `f: missing "train"`, false},
		{mk(`{"input":`+rows(31, 2)+`,"output":[[1]]}`, okPair), "train[0].input: more than 30 rows", false},
		{mk(`{"input":`+rows(2, 31)+`,"output":[[1]]}`, okPair), "train[0].input[0]: more than 30 columns", false},
		{mk(`{"input":`+rows(30, 30)+`,"output":[]}`, okPair), "train[0].output: 0 rows, want 1..30", false},
		{mk(`{"input":[[]],"output":[[1]]}`, okPair), "train[0].input: row 0 has 0 columns", false},
		{mk(okPair, `{"input":[[1,"2"]]}`), `test[0].input[0][1]: got a string, want an integer colour`, false},
		{mk(okPair, `{"input":[[1,null]]}`), `test[0].input[0][1]: got null, want an integer colour`, false},
		{mk(okPair, `{"input":[[1,[2]]]}`), `test[0].input[0][1]: got an array, want an integer colour`, false},
		{mk(okPair, `{"input":[[1.5]]}`), `test[0].input[0][0]`, false},
		{mk(okPair, `{"input":[[2e0]]}`), `test[0].input[0][0]`, false},
		{mk(okPair, `{"input":[[-1]]}`), `test[0].input[0][0]: colour -1 outside 0..9`, false},
		{mk(okPair, `{"input":[[99999999999999999999]]}`), `test[0].input[0][0]`, false},
		{mk(okPair, `{"input":[1]}`), `test[0].input[0]: got a number, want an array`, false},
		{mk(okPair, `{"input":{}}`), `test[0].input: got an object, want an array`, false},
		{mk(okPair, `{"output":[[1]]}`), `test[0]: missing "input"`, false},
		{mk(okPair, `{"input":[[1]],"input":[[2]]}`), `test[0]: duplicate key "input"`, false},
		{mk(okPair, `7`), `test[0]: got a number, want an object`, false},
		{`{"train":{},"test":[]}`, `train: got an object, want an array`, false},
		{`{"train":[` + okPair + `],"test":[` + okPair + `],"train":[` + okPair + `]}`, `duplicate key "train"`, false},
		{`[1]`, `f: got an array, want an object`, false},
		{mk(okPair, okPair) + ` {}`, "f: ", true},
		{mk(okPair, okPair) + `x`, "f: ", true},
		{mk(okPair, okPair)[:30], "f: invalid JSON", true},
		{`{"train":[` + okPair + `],"test":[` + okPair + `],}`, "f: invalid JSON", true},
		{"{\"x\":\"\xff\"," + mk(okPair, okPair)[1:], "f: file is not valid UTF-8", false},
		{`{"x":"\udc00",` + mk(okPair, okPair)[1:], "unpaired UTF-16 surrogate", false},
		{`{"x":"\u00 0",` + mk(okPair, okPair)[1:], "f: invalid JSON: \\u escape without four hex digits at byte 6", false},
		{`{"x":"\q",` + mk(okPair, okPair)[1:], "f: invalid JSON: invalid escape at byte 6", false},
		{"{\"x\":\"a\tb\"," + mk(okPair, okPair)[1:], "f: invalid JSON: control character in a string at byte 7", false},
		{``, "f: ", true},
		{`5`, "f: ", true},
	}
	// Escapes that are valid, around keys that are ignored, still parse.
	_, err := parseBoth(t, "f", []byte(`{"x":"\ud800\udc00\"\\\/\b\f\n\r\t","\u00e9":1,`+mk(okPair, okPair)[1:]))
	require.NoError(t, err)
	for _, c := range cases {
		_, err := parseBoth(t, "f", []byte(c.in))
		require.Error(t, err, c.in)
		require.Contains(t, err.Error(), "arc: f:", c.in)
		if !c.syntax {
			require.Contains(t, err.Error(), c.want, c.in)
			if simdSupported() {
				_, _, err2 := parseSimd("f", []byte(c.in), nil)
				require.Contains(t, err2.Error(), c.want, "simdjson wording for %s", c.in)
			}
		}
	}
	// accepted oddities: escapes in keys, unknown keys of any type, whitespace
	okDocs := []string{
		`{"tr\u0061in":[` + okPair + `],"test":[` + okPair + `]}`,
		"{\n\t\"junk\": {\"a\": [1, {\"b\": null}], \"c\": \"\\ud83d\\ude00\"},\r\n\"train\": [" + okPair + "], \"test\": [" + okPair + "]  }  \n",
		`{"train":[{"input":[[-0]],"output":[[1]],"extra":[1,2]}],"test":[` + okPair + `]}`,
	}
	for _, d := range okDocs {
		_, err := parseBoth(t, "f", []byte(d))
		require.NoError(t, err, d)
	}
}

// randomTaskJSON renders a random valid task with encoding/json.
func randomTaskJSON(seed uint64) ([]byte, *Task) {
	r := task.NewPCG(seed, 77)
	randGrid := func() Grid {
		h, w := 1+task.Intn(r, 30), 1+task.Intn(r, 30)
		if task.Intn(r, 2) == 0 {
			h, w = 1+task.Intn(r, 4), 1+task.Intn(r, 4)
		}
		g := Grid{H: h, W: w, Cells: make([]uint8, h*w)}
		for i := range g.Cells {
			g.Cells[i] = uint8(task.Intn(r, 10))
		}
		return g
	}
	tk := &Task{Name: fmt.Sprint("rand", seed)}
	type jp struct {
		Input  [][]int `json:"input"`
		Output [][]int `json:"output,omitempty"`
	}
	var doc struct {
		Train []jp `json:"train"`
		Test  []jp `json:"test"`
	}
	for k := 0; k < 1+task.Intn(r, 4); k++ {
		p := Pair{Input: randGrid(), Output: randGrid()}
		tk.Train = append(tk.Train, p)
		doc.Train = append(doc.Train, jp{p.Input.Rows(), p.Output.Rows()})
	}
	for k := 0; k < 1+task.Intn(r, 2); k++ {
		p := Pair{Input: randGrid()}
		if task.Intn(r, 3) > 0 {
			p.Output = randGrid()
		}
		tk.Test = append(tk.Test, p)
		var out [][]int
		if !p.Output.Empty() {
			out = p.Output.Rows()
		}
		doc.Test = append(doc.Test, jp{p.Input.Rows(), out})
	}
	var b []byte
	if seed%2 == 0 {
		b, _ = json.Marshal(doc)
	} else {
		b, _ = json.MarshalIndent(doc, "", "  ")
	}
	return b, tk
}

func TestARCParsersAgreeOnRandomTasks(t *testing.T) {
	for seed := uint64(0); seed < 60; seed++ {
		b, want := randomTaskJSON(seed)
		got, err := parseBoth(t, want.Name, b)
		require.NoError(t, err)
		require.True(t, want.Equal(got), "seed %d", seed)
		viaAPI, err := ParseTask(want.Name, b)
		require.NoError(t, err)
		require.True(t, want.Equal(viaAPI))
	}
}

// TestARCCorpus loads a corpus in the ARC-AGI layout with both parsers:
// the hand-made one in testdata/corpus, and the directory HRM_ARC_DIR
// names, if set (the real ARC-AGI-1, say).
func TestARCCorpus(t *testing.T) {
	roots := []string{filepath.Join("testdata", "corpus")}
	if dir := os.Getenv("HRM_ARC_DIR"); dir != "" {
		roots = append(roots, dir)
	}
	for _, root := range roots {
		testARCCorpus(t, root)
	}
}

func testARCCorpus(t *testing.T, root string) {
	for _, split := range []string{"training", "evaluation"} {
		dir := filepath.Join(root, split)
		files, err := filepath.Glob(filepath.Join(dir, "*.json"))
		require.NoError(t, err)
		require.NotEmpty(t, files, dir)
		tasks, err := LoadDir(dir)
		require.NoError(t, err)
		require.Len(t, tasks, len(files))
		old := simdSupported
		simdSupported = func() bool { return false }
		stdTasks, err := LoadDir(dir)
		simdSupported = old
		require.NoError(t, err)
		for i := range tasks {
			require.True(t, tasks[i].Equal(stdTasks[i]), "parsers disagree on %s", tasks[i].Name)
			for _, p := range append(append([]Pair(nil), tasks[i].Train...), tasks[i].Test...) {
				for _, g := range []Grid{p.Input, p.Output} {
					require.False(t, g.Empty(), tasks[i].Name)
					enc, err := Encode(g, 0, 0)
					require.NoError(t, err)
					dec, err := Decode(enc)
					require.NoError(t, err)
					require.True(t, g.Equal(dec), tasks[i].Name)
				}
			}
		}
	}
}

func TestARCEncodeLayout(t *testing.T) {
	g := MustGrid([][]int{{0, 1, 2}, {3, 4, 5}})
	enc, err := Encode(g, 0, 0)
	require.NoError(t, err)
	require.Len(t, enc, 900)
	at := func(r, c int) uint8 { return enc[r*30+c] }
	require.Equal(t, uint8(2), at(0, 0))
	require.Equal(t, uint8(7), at(1, 2))
	require.Equal(t, uint8(EOSToken), at(0, 3))
	require.Equal(t, uint8(EOSToken), at(1, 3))
	for c := 0; c < 3; c++ {
		require.Equal(t, uint8(EOSToken), at(2, c))
	}
	require.Equal(t, uint8(PadToken), at(2, 3), "corner stays PAD")
	nonPad := 0
	for _, v := range enc {
		if v != 0 {
			nonPad++
		}
	}
	require.Equal(t, 6+2+3, nonPad)

	// full-size grid: no room for EOS
	full := Grid{H: 30, W: 30, Cells: make([]uint8, 900)}
	enc, err = Encode(full, 0, 0)
	require.NoError(t, err)
	for _, v := range enc {
		require.Equal(t, uint8(2), v)
	}
	// 30 rows, 29 columns: EOS column only
	tall := Grid{H: 30, W: 29, Cells: make([]uint8, 30*29)}
	enc, _ = Encode(tall, 0, 0)
	for r := 0; r < 30; r++ {
		require.Equal(t, uint8(EOSToken), enc[r*30+29])
	}
	// translated: grid at (5,7), EOS right/below, top-left PAD
	enc, err = Encode(g, 5, 7)
	require.NoError(t, err)
	require.Equal(t, uint8(2), enc[5*30+7])
	require.Equal(t, uint8(EOSToken), enc[5*30+10])
	require.Equal(t, uint8(EOSToken), enc[7*30+9])
	require.Equal(t, uint8(0), enc[7*30+10])
	require.Equal(t, uint8(0), enc[0])
	dec, err := Decode(enc)
	require.NoError(t, err)
	require.True(t, dec.Empty(), "the crop rule is anchored at the top-left")
	// grid flush with the bottom-right corner: EOS falls off the canvas
	enc, err = Encode(g, 28, 27)
	require.NoError(t, err)
	require.Equal(t, uint8(7), enc[29*30+29])

	_, err = Encode(g, 29, 0)
	require.ErrorContains(t, err, "does not fit")
	_, err = Encode(Grid{}, 0, 0)
	require.Error(t, err)
	_, err = Encode(Grid{H: 1, W: 1, Cells: []uint8{12}}, 0, 0)
	require.Error(t, err)
}

func TestARCRoundTripRandomGrids(t *testing.T) {
	r := task.NewPCG(3, 3)
	for k := 0; k < 300; k++ {
		h, w := 1+task.Intn(r, 30), 1+task.Intn(r, 30)
		g := Grid{H: h, W: w, Cells: make([]uint8, h*w)}
		for i := range g.Cells {
			g.Cells[i] = uint8(task.Intn(r, 10))
		}
		enc, err := Encode(g, 0, 0)
		require.NoError(t, err)
		dec, err := Decode(enc)
		require.NoError(t, err)
		require.True(t, g.Equal(dec))
		// labels and int32 predictions decode the same way
		dec2, err := Decode(toInt32(enc))
		require.NoError(t, err)
		require.True(t, g.Equal(dec2))
	}
}

func TestARCCropRule(t *testing.T) {
	canvas := func(rows ...string) []int32 {
		// '.' PAD, 'E' EOS, digits are colours
		c := make([]int32, 900)
		for r, row := range rows {
			for j, ch := range row {
				switch {
				case ch == 'E':
					c[r*30+j] = EOSToken
				case ch >= '0' && ch <= '9':
					c[r*30+j] = int32(ch-'0') + ColorBase
				}
			}
		}
		return c
	}
	cases := []struct {
		rows []string
		want [][]int
	}{
		// the running width shrinks 5 → 3; areas 5, 6, 9, then 0
		{[]string{"12345E", "123E45", "111E", "E"}, [][]int{{1, 2, 3}, {1, 2, 3}, {1, 1, 1}}},
		// wide first row wins: area 4 versus 2·1
		{[]string{"1234", "5E"}, [][]int{{1, 2, 3, 4}}},
		// ties keep the first (fewest rows): 1×4 versus 2×2
		{[]string{"1234", "56E"}, [][]int{{1, 2, 3, 4}}},
		// colours past a gap are cut; width never grows back
		{[]string{"12.34", "1234", "12345"}, [][]int{{1, 2}, {1, 2}, {1, 2}}},
		// nothing at (0,0)
		{[]string{".1"}, nil},
		// predicted PAD or EOS inside a row ends it
		{[]string{"99E", "9.9", "999"}, [][]int{{9}, {9}, {9}}},
	}
	for i, c := range cases {
		g, err := Decode(canvas(c.rows...))
		require.NoError(t, err)
		if c.want == nil {
			require.True(t, g.Empty(), "case %d", i)
			continue
		}
		require.Equal(t, c.want, g.Rows(), "case %d", i)
	}
	// a full canvas of colours is a 30×30 grid
	full := make([]uint8, 900)
	for i := range full {
		full[i] = 11
	}
	g, _ := Decode(full)
	require.Equal(t, 30, g.H)
	require.Equal(t, 30, g.W)
	_, err := Decode(make([]uint8, 899))
	require.Error(t, err)
}

func TestDihedralMatchesNumpy(t *testing.T) {
	x := MustGrid([][]int{{1, 2, 3}, {4, 5, 6}})
	want := [8][][]int{
		{{1, 2, 3}, {4, 5, 6}},   // identity
		{{3, 6}, {2, 5}, {1, 4}}, // np.rot90
		{{6, 5, 4}, {3, 2, 1}},   // np.rot90 k=2
		{{4, 1}, {5, 2}, {6, 3}}, // np.rot90 k=3
		{{3, 2, 1}, {6, 5, 4}},   // np.fliplr
		{{4, 5, 6}, {1, 2, 3}},   // np.flipud
		{{1, 4}, {2, 5}, {3, 6}}, // x.T
		{{6, 3}, {5, 2}, {4, 1}}, // np.fliplr(np.rot90(x))
	}
	for tr := 0; tr < task.NumDihedral; tr++ {
		require.Equal(t, want[tr], x.Dihedral(tr).Rows(), "transform %d", tr)
	}
}

func TestDihedralInverseTable(t *testing.T) {
	require.Equal(t, [8]int{0, 3, 2, 1, 4, 5, 6, 7}, task.DihedralInverse)
	r := task.NewPCG(1, 1)
	for k := 0; k < 20; k++ {
		h, w := 1+task.Intn(r, 7), 1+task.Intn(r, 7)
		if k == 0 {
			h, w = 3, 5
		}
		g := Grid{H: h, W: w, Cells: make([]uint8, h*w)}
		for i := range g.Cells {
			g.Cells[i] = uint8(i % 10)
		}
		for tr := 0; tr < task.NumDihedral; tr++ {
			y := g.Dihedral(tr)
			require.True(t, g.Equal(y.Dihedral(task.DihedralInverse[tr])), "inv[%d] after %d", task.DihedralInverse[tr], tr)
			require.True(t, g.Equal(Unaugment(y, tr, IdentityColorMap())))
			// the inverse also works the other way round
			require.True(t, g.Equal(g.Dihedral(task.DihedralInverse[tr]).Dihedral(tr)))
			// task.DihedralPos agrees with the transform
			for rr := 0; rr < h; rr++ {
				for c := 0; c < w; c++ {
					i, j := task.DihedralPos(tr, rr, c, h, w)
					require.Equal(t, g.At(rr, c), y.At(i, j))
				}
			}
		}
	}
	// on a 3×5 grid of distinct values the inverse is the only transform
	// undoing each one
	cells := make([]int, 15)
	for i := range cells {
		cells[i] = i
	}
	for tr := 0; tr < task.NumDihedral; tr++ {
		y, h, w := task.Dihedral(tr, cells, 3, 5)
		n := 0
		for s := 0; s < task.NumDihedral; s++ {
			z, zh, zw := task.Dihedral(s, y, h, w)
			if zh == 3 && zw == 5 && fmt.Sprint(z) == fmt.Sprint(cells) {
				n++
				require.Equal(t, task.DihedralInverse[tr], s)
			}
		}
		require.Equal(t, 1, n)
	}
}

func TestARCColorMapsAndAugment(t *testing.T) {
	r := task.NewPCG(4, 4)
	b, _ := os.ReadFile("testdata/ok/ok_basic.json")
	tk, err := ParseTask("ok_basic", b)
	require.NoError(t, err)
	hashes := map[uint64]bool{tk.Hash(): true}
	for k := 0; k < 20; k++ {
		m := RandomColorMap(r)
		require.Equal(t, uint8(0), m[0], "background fixed")
		inv := m.Inverse()
		for c := 0; c < 10; c++ {
			require.Equal(t, uint8(c), inv[m[c]])
		}
		pm, err := ParseColorMap(m.String())
		require.NoError(t, err)
		require.Equal(t, m, pm)

		d := task.Intn(r, 8)
		aug := tk.Augment(d, m)
		require.Equal(t, fmt.Sprintf("ok_basic_t%d_%s", d, m), aug.Name)
		orig, d2, m2, ok := ParseAugName(aug.Name)
		require.True(t, ok)
		require.Equal(t, "ok_basic", orig)
		require.Equal(t, d, d2)
		require.Equal(t, m, m2)
		for i, p := range aug.Train {
			require.True(t, tk.Train[i].Input.Equal(Unaugment(p.Input, d, m)))
			require.True(t, tk.Train[i].Output.Equal(Unaugment(p.Output, d, m)))
		}
		// colour map and dihedral commute
		g := tk.Train[0].Input
		require.True(t, g.Recolor(m).Dihedral(d).Equal(g.Dihedral(d).Recolor(m)))
		hashes[aug.Hash()] = true
	}
	require.Greater(t, len(hashes), 15)
	_, _, _, ok := ParseAugName("007bbfb7")
	require.False(t, ok)
	_, err = ParseColorMap("0123456788")
	require.Error(t, err)
}

func BenchmarkParseARC(b *testing.B) {
	data, _ := randomTaskJSON(1)
	b.Run("encoding_json", func(b *testing.B) {
		b.SetBytes(int64(len(data)))
		for b.Loop() {
			if _, err := parseStd("x", data); err != nil {
				b.Fatal(err)
			}
		}
	})
	if !simdSupported() {
		return
	}
	b.Run("simdjson", func(b *testing.B) {
		b.SetBytes(int64(len(data)))
		var p simdParser
		for b.Loop() {
			if _, err := p.parse("x", data); err != nil {
				b.Fatal(err)
			}
		}
	})
}

func toInt32(toks []uint8) []int32 {
	out := make([]int32, len(toks))
	for i, t := range toks {
		out[i] = int32(t)
	}
	return out
}

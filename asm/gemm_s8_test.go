package asm

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"
)

// refS8 is the obviously correct int8 product on the unpacked weights.
func refS8(a, w []int8, m, n, k int) []int32 {
	c := make([]int32, m*n)
	for i := 0; i < m; i++ {
		for j := 0; j < n; j++ {
			var s int32
			for p := 0; p < k; p++ {
				s += int32(a[i*k+p]) * int32(w[j*k+p])
			}
			c[i*n+j] = s
		}
	}
	return c
}

// fill chooses int8 values in one of several regimes: random, the ±127
// extremes (the worst case for every overflow argument), or zeros; whole
// zero rows are sprinkled in as well.
func fill(r *rand.Rand, x []int8, rows, cols int, mode int, lo int8) {
	for i := range x {
		switch mode {
		case 0:
			x[i] = int8(int(lo) + r.IntN(128-int(lo)))
		case 1:
			if r.IntN(2) == 0 {
				x[i] = 127
			} else {
				x[i] = lo
			}
		case 2:
			x[i] = 127
		case 3:
			x[i] = lo
		}
	}
	if rows > 2 && cols > 0 {
		z := r.IntN(rows)
		clear(x[z*cols : z*cols+cols])
	}
}

func checkGemmS8(t *testing.T, r *rand.Rand, m, n, k, mode int) {
	t.Helper()
	a := make([]int8, m*k)
	w := make([]int8, n*k)
	fill(r, a, m, k, mode, -128) // activations may be -128
	fill(r, w, n, k, mode, -127) // weights may not
	p, err := PackS8(w, n, k)
	if err != nil {
		t.Fatal(err)
	}
	want := refS8(a, w, m, n, k)
	got := make([]int32, m*n+3)
	for i := range got {
		got[i] = -7 // guard values: nothing outside [0,m·n) may be written
	}
	GemmS8(got, a, m, &p)
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("m=%d n=%d k=%d mode=%d: c[%d][%d] = %d, want %d", m, n, k, mode, i/n, i%n, got[i], want[i])
		}
	}
	for i := m * n; i < len(got); i++ {
		if got[i] != -7 {
			t.Fatalf("m=%d n=%d k=%d: wrote past the end of c", m, n, k)
		}
	}
	checkGemmS8Dequant(t, r, a, m, &p, want)
	// Tile ranges compose to the whole product.
	if p.Tiles() > 1 {
		part := make([]int32, m*n)
		mid := p.Tiles() / 2
		GemmS8Tiles(part, a, m, &p, mid, p.Tiles())
		GemmS8Tiles(part, a, m, &p, 0, mid)
		for i := range want {
			if part[i] != want[i] {
				t.Fatalf("m=%d n=%d k=%d: GemmS8Tiles split at tile %d: c[%d] = %d, want %d", m, n, k, mid, i, part[i], want[i])
			}
		}
	}
}

// checkGemmS8Dequant checks that the fused epilogue gives the bits of
// DequantS8 applied to the exact sums, whole and split into tile ranges,
// writing nothing outside y.
func checkGemmS8Dequant(t *testing.T, r *rand.Rand, a []int8, m int, p *PackedS8, sums []int32) {
	t.Helper()
	n := p.N
	sa, sw := make([]float32, m), make([]float32, n)
	for i := range sa {
		sa[i] = r.Float32() * 0.1
	}
	for j := range sw {
		sw[j] = r.Float32() * 0.01
	}
	want := make([]float32, m*n)
	for i := 0; i < m; i++ {
		DequantS8(want[i*n:(i+1)*n], sums[i*n:(i+1)*n], sa[i], sw)
	}
	got := make([]float32, m*n+3)
	for i := range got {
		got[i] = -7
	}
	dq := &S8Dequant{Y: got, A: sa, W: sw}
	if mid := p.Tiles() / 2; mid > 0 {
		GemmS8DequantTiles(dq, a, m, p, mid, p.Tiles())
		GemmS8DequantTiles(dq, a, m, p, 0, mid)
	} else {
		GemmS8DequantTiles(dq, a, m, p, 0, p.Tiles())
	}
	for i := range want {
		if math.Float32bits(got[i]) != math.Float32bits(want[i]) {
			t.Fatalf("m=%d n=%d k=%d: dequantized y[%d][%d] = %v, want %v", m, n, p.K, i/n, i%n, got[i], want[i])
		}
	}
	for i := m * n; i < len(got); i++ {
		if got[i] != -7 {
			t.Fatalf("m=%d n=%d k=%d: wrote past the end of y", m, n, p.K)
		}
	}
}

func TestGemmS8(t *testing.T) {
	eachTier(t, FamilyGemmS8, func(t *testing.T) {
		r := rand.New(rand.NewPCG(1, 2))
		shapes := [][3]int{
			{1, 1, 1}, {1, 16, 16}, {1, 17, 5}, {2, 33, 63}, {3, 15, 64}, {4, 64, 64}, {5, 80, 128},
			{7, 65, 17}, {8, 128, 200}, {9, 48, 512}, {13, 100, 3}, {1, 1536, 512}, {82, 64, 512},
			{6, 3, 1000}, {17, 256, 80},
			// TRM token mixing: K = positions (97, 916), not a multiple of 16.
			{512, 97, 512}, {37, 916, 1024}, {5, 916, 40},
			// More columns than one dequantized weight block holds.
			{5, 1100, 64}, {9, 2100, 16},
		}
		for _, s := range shapes {
			for mode := 0; mode < 4; mode++ {
				checkGemmS8(t, r, s[0], s[1], s[2], mode)
			}
		}
		n := 200
		if testing.Short() {
			n = 30
		}
		for i := 0; i < n; i++ {
			checkGemmS8(t, r, 1+r.IntN(20), 1+r.IntN(100), 1+r.IntN(300), r.IntN(4))
		}
	})
}

func TestGemmS8Zero(t *testing.T) {
	p, err := PackS8(make([]int8, 3*5), 3, 5)
	if err != nil {
		t.Fatal(err)
	}
	GemmS8(nil, nil, 0, &p) // m = 0 is a no-op
	if _, err := PackS8(nil, 0, 5); err == nil {
		t.Fatal("PackS8 accepted n=0")
	}
	if _, err := PackS8([]int8{-128}, 1, 1); err == nil {
		t.Fatal("PackS8 accepted -128")
	}
}

func TestPackedS8FromBytes(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	n, k := 37, 70
	w := make([]int8, n*k)
	fill(r, w, n, k, 0, -127)
	p, err := PackS8(w, n, k)
	if err != nil {
		t.Fatal(err)
	}
	if len(p.Data) != PackedS8Size(n, k) {
		t.Fatalf("len %d, PackedS8Size %d", len(p.Data), PackedS8Size(n, k))
	}
	raw := append([]byte(nil), p.Bytes()...)
	q, err := PackedS8FromBytes(raw, p.RowSum, n, k)
	if err != nil {
		t.Fatal(err)
	}
	if &q.Bytes()[0] != &raw[0] {
		t.Fatal("PackedS8FromBytes copied the data")
	}
	q2, err := PackedS8FromBytes(raw, nil, n, k)
	if err != nil || fmt.Sprint(q2.RowSum) != fmt.Sprint(p.RowSum) {
		t.Fatalf("computed row sums differ: %v", err)
	}
	bad := append([]int32(nil), p.RowSum...)
	bad[5]++
	if _, err := PackedS8FromBytes(raw, bad, n, k); err == nil {
		t.Fatal("wrong row sum accepted")
	}
	pad := append([]byte(nil), raw...)
	pad[len(pad)-1] = 1 // last tile's last row is padding (n=37)
	if _, err := PackedS8FromBytes(pad, nil, n, k); err == nil {
		t.Fatal("non-zero padding accepted")
	}
	if _, err := PackedS8FromBytes(raw[:len(raw)-1], nil, n, k); err == nil {
		t.Fatal("short data accepted")
	}
}

// FuzzGemmS8 draws shapes and values from the fuzzer; every tier must equal
// the reference exactly.
func FuzzGemmS8(f *testing.F) {
	f.Add(uint8(1), uint8(1), uint16(1), uint64(0), uint8(0))
	f.Add(uint8(4), uint8(16), uint16(64), uint64(1), uint8(1))
	f.Add(uint8(5), uint8(17), uint16(65), uint64(2), uint8(2))
	f.Add(uint8(82), uint8(64), uint16(512), uint64(3), uint8(3))
	f.Add(uint8(3), uint8(200), uint16(1000), uint64(4), uint8(1))
	f.Fuzz(func(t *testing.T, m, n uint8, k uint16, seed uint64, mode uint8) {
		if m == 0 || n == 0 || k == 0 || k > 2048 {
			return
		}
		eachTier(t, FamilyGemmS8, func(t *testing.T) {
			checkGemmS8(t, rand.New(rand.NewPCG(seed, 9)), int(m), int(n), int(k), int(mode%4))
		})
	})
}

// TestGemmS8Kernels runs internal kernels that are not tiers of their own.
func TestGemmS8Kernels(t *testing.T) {
	for _, k := range extraS8Kernels() {
		t.Run(k.name, func(t *testing.T) {
			prev := s8Cur
			s8Cur = k.kern
			defer func() { s8Cur = prev }()
			r := rand.New(rand.NewPCG(5, 6))
			for i := 0; i < 60; i++ {
				checkGemmS8(t, r, 1+r.IntN(20), 1+r.IntN(70), 1+r.IntN(300), r.IntN(4))
			}
		})
	}
}

// GemmS8SwiGLUTiles gives the bits of GemmS8DequantTiles followed by
// SwiGLU over each row's halves, whole and split into tile ranges, and
// writes nothing outside hid.
func TestGemmS8SwiGLU(t *testing.T) {
	eachTier(t, FamilyGemmS8, func(t *testing.T) {
		r := rand.New(rand.NewPCG(7, 8))
		for _, s := range [][3]int{{1, 16, 16}, {5, 32, 64}, {3, 48, 97}, {82, 1536, 512}, {200, 64, 512}, {9, 1600, 40}, {4, 16, 1536}} {
			m, F, k := s[0], s[1], s[2]
			n := 2 * F
			a, w := make([]int8, m*k), make([]int8, n*k)
			fill(r, a, m, k, 0, -128)
			fill(r, w, n, k, 0, -127)
			p, err := PackS8(w, n, k)
			if err != nil {
				t.Fatal(err)
			}
			sa, sw := make([]float32, m), make([]float32, n)
			for i := range sa {
				sa[i] = r.Float32() * 0.05
			}
			for j := range sw {
				sw[j] = r.Float32() * 0.02
			}
			y := make([]float32, m*n)
			GemmS8DequantTiles(&S8Dequant{Y: y, A: sa, W: sw}, a, m, &p, 0, p.Tiles())
			want := make([]float32, m*F)
			for i := 0; i < m; i++ {
				SwiGLU(want[i*F:(i+1)*F], y[i*n:i*n+F], y[i*n+F:(i+1)*n])
			}
			got := make([]float32, m*F+3)
			for i := range got {
				got[i] = -7
			}
			dq := &S8Dequant{A: sa, W: sw}
			half := F / S8TileN
			mid := half / 2
			GemmS8SwiGLUTiles(dq, got, a, m, &p, mid, half)
			GemmS8SwiGLUTiles(dq, got, a, m, &p, 0, mid)
			for i := range want {
				if math.Float32bits(got[i]) != math.Float32bits(want[i]) {
					t.Fatalf("m=%d F=%d k=%d: hid[%d][%d] = %v, want %v", m, F, k, i/F, i%F, got[i], want[i])
				}
			}
			for i := m * F; i < len(got); i++ {
				if got[i] != -7 {
					t.Fatalf("m=%d F=%d k=%d: wrote past the end of hid", m, F, k)
				}
			}
		}
	})
}

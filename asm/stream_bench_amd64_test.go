//go:build !purego && !noasm

package asm

import (
	"fmt"
	"math/rand/v2"
	"os"
	"slices"
	"testing"
	"time"
)

// TestModelStreamRate measures the int8 GEMMs in a segment's order: the
// 32 matrices of the full-size HRM (8 layers of qkv, o, gate_up, down, 26
// MB) called as a segment calls them (96 products of M = 82), with the
// plain int32 product, with the epilogues the model uses (dequantizing,
// SwiGLU for gate_up), and with the epilogues and 1 MB of other memory
// touched between products as attention and the norms do. MACs/cycle:
// median and best of 15 rounds, and the sum of each product's fastest call
// (per shape too). On a shared VM the avx2 tier's rounds spread far more
// than avx512vnni's (Zen 4: median 19.8, best 25.6, per-call 26.2 against
// 48.4, 49.9, 54.0), so in-model avx2 rates are mostly the neighbours'.
// Set HRM_BENCH_TABLE=1 to run it (a measurement, not a check).
func TestModelStreamRate(t *testing.T) {
	if os.Getenv("HRM_BENCH_TABLE") == "" {
		t.Skip("set HRM_BENCH_TABLE=1 to measure")
	}
	defer Reset()
	hz, how := ClockHz()
	const M, D, F = 82, 512, 1536
	r := rand.New(rand.NewPCG(3, 4))
	type mat struct {
		p      PackedS8
		n, k   int
		swiglu bool
	}
	var ms []mat
	for range 8 {
		for _, s := range [][2]int{{3 * D, D}, {D, D}, {2 * F, D}, {D, F}} {
			w := make([]int8, s[0]*s[1])
			for i := range w {
				w[i] = int8(r.IntN(255) - 127)
			}
			p, _ := PackS8(w, s[0], s[1])
			ms = append(ms, mat{p, s[0], s[1], s[0] == 2*F})
		}
	}
	a := make([]int8, M*F)
	for i := range a {
		a[i] = int8(r.IntN(256) - 128)
	}
	c := make([]int32, M*2*F)
	y := make([]float32, M*2*F)
	hid := make([]float32, M*F)
	sa := make([]float32, M)
	sw := make([]float32, 2*F)
	for i := range sa {
		sa[i] = 0.01
	}
	for i := range sw {
		sw[i] = 0.02
	}
	other := make([]float32, 1<<18)
	order := func() []int { // L 4 times, H twice, per layer 4 matrices
		var o []int
		for _, stack := range []int{1, 1, 0, 1, 1, 0} {
			for l := range 4 {
				for j := range 4 {
					o = append(o, (stack*4+l)*4+j)
				}
			}
		}
		return o
	}()
	var macs float64
	for _, i := range order {
		macs += float64(M * ms[i].n * ms[i].k)
	}
	fmt.Printf("clock %.2f GHz (%s); one thread; %d products per segment, %.2f G MACs\n", hz/1e9, how, len(order), macs/1e9)
	fmt.Printf("%-11s %10s %10s %10s\n", "tier", "int32", "epilogue", "+1MB other")
	for _, tier := range Tiers() {
		if tier.Family != FamilyGemmS8 || !tier.Supported || tier.Name == "generic" {
			continue
		}
		if err := Use(FamilyGemmS8 + "=" + tier.Name); err != nil {
			t.Fatal(err)
		}
		var res [3][]float64
		best := make([]float64, len(order))
		for i := range best {
			best[i] = 1e9
		}
		for round := 0; round < 15; round++ {
			for v := range 3 {
				t0 := time.Now()
				for oi, i := range order {
					tc := time.Now()
					m := &ms[i]
					switch {
					case v == 0:
						GemmS8(c, a[:M*m.k], M, &m.p)
					case m.swiglu:
						GemmS8SwiGLUTiles(&S8Dequant{A: sa, W: sw}, hid, a[:M*m.k], M, &m.p, 0, m.n/2/S8TileN)
					default:
						GemmS8DequantTiles(&S8Dequant{Y: y, A: sa, W: sw}, a[:M*m.k], M, &m.p, 0, m.p.Tiles())
					}
					if v == 0 {
						best[oi] = min(best[oi], time.Since(tc).Seconds())
					}
					if v == 2 {
						for j := 0; j < len(other); j += 16 {
							other[j] += 1
						}
					}
				}
				res[v] = append(res[v], time.Since(t0).Seconds())
			}
		}
		fmt.Printf("%-11s", tier.Name)
		for v := range 3 {
			slices.Sort(res[v])
			fmt.Printf(" %6.2f (best %5.2f)", macs/res[v][len(res[v])/2]/hz, macs/res[v][0]/hz)
		}
		var sum float64
		byShape := map[int][2]float64{}
		for oi, i := range order {
			sum += best[oi]
			b := byShape[ms[i].n*10000+ms[i].k]
			byShape[ms[i].n*10000+ms[i].k] = [2]float64{b[0] + best[oi], b[1] + float64(M*ms[i].n*ms[i].k)}
		}
		fmt.Printf("   per-call minima: %.2f;", macs/sum/hz)
		for k, b := range byShape {
			fmt.Printf(" %d×%d %.2f", k%10000, k/10000, b[1]/b[0]/hz)
		}
		fmt.Println()
	}
}

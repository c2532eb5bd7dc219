package asm

import (
	"errors"
	"os"
	"runtime"
	"strings"
	"testing"
)

// eachTier runs f once per tier of family this CPU supports, with that tier
// selected, and restores the previous selection afterwards.
func eachTier(t *testing.T, family string, f func(t *testing.T)) {
	t.Helper()
	prev := Selected()
	defer func() {
		for _, p := range prev {
			if err := Use(p.Family + "=" + p.Name); err != nil {
				t.Fatal(err)
			}
		}
	}()
	ran := 0
	for _, tier := range Tiers() {
		if tier.Family != family {
			continue
		}
		if !tier.Supported {
			t.Logf("%s/%s: skipped, this CPU does not have all of %s", family, tier.Name, tier.Requires)
			continue
		}
		if err := Use(family + "=" + tier.Name); err != nil {
			t.Fatal(err)
		}
		ran++
		t.Run(tier.Name, f)
	}
	if ran < 2 && runtime.GOARCH != "arm" {
		t.Logf("%s: only %d tier(s) ran on this CPU/build", family, ran)
	}
}

func TestDispatchNeverSelectsUnsupported(t *testing.T) {
	defer Reset()
	check := func(when string) {
		for _, tier := range Selected() {
			if !tier.Supported {
				t.Fatalf("%s: %s/%s selected but the CPU lacks %s", when, tier.Family, tier.Name, tier.Requires)
			}
		}
		if n := len(Selected()); n != len(families) {
			t.Fatalf("%s: %d families selected, want %d", when, n, len(families))
		}
	}
	Reset()
	check("Reset")
	for _, tier := range Tiers() {
		err := Use(tier.Family + "=" + tier.Name)
		if tier.Supported && err != nil {
			t.Fatalf("Use(%s/%s): %v", tier.Family, tier.Name, err)
		}
		if !tier.Supported && !errors.Is(err, ErrUnsupported) {
			t.Fatalf("Use(%s/%s) on a CPU without %s: err = %v, want ErrUnsupported", tier.Family, tier.Name, tier.Requires, err)
		}
		check("Use " + tier.Family + "=" + tier.Name)
		// Plain names apply to every family, lowering those without the name.
		err = Use(tier.Name)
		if tier.Supported && err != nil {
			t.Fatalf("Use(%s): %v", tier.Name, err)
		}
		if !tier.Supported && err == nil {
			t.Fatalf("Use(%s) accepted a tier the CPU lacks", tier.Name)
		}
		check("Use " + tier.Name)
	}
	// The best tier of each family is the first supported one.
	Reset()
	for _, f := range families {
		for _, tier := range Tiers() {
			if tier.Family == f && tier.Supported {
				if !tier.Selected {
					t.Fatalf("Reset: %s/%s is the best supported tier but not selected", f, tier.Name)
				}
				break
			}
		}
	}
	// Cross-check the predicates against a second detector where possible.
	crossCheckCPU(t)
}

func TestUseSpec(t *testing.T) {
	defer Reset()
	for _, bad := range []string{"sse9", "gemms8=nope", "nofamily=generic", "neon,avx2"} {
		before := Describe()
		if err := Use(bad); err == nil {
			t.Errorf("Use(%q) accepted", bad)
		}
		if Describe() != before {
			t.Errorf("failed Use(%q) changed the selection to %s", bad, Describe())
		}
	}
	if err := Use("generic"); err != nil {
		t.Fatal(err)
	}
	for _, s := range Selected() {
		if s.Name != "generic" {
			t.Fatalf("Use(generic): %s=%s", s.Family, s.Name)
		}
	}
	if err := Use("best, gemmf32=generic"); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(Describe(), "gemmf32=generic") {
		t.Fatal(Describe())
	}
}

func TestEnvVar(t *testing.T) {
	defer Reset()
	t.Setenv(EnvVar, "no-such-tier")
	err := ForceFromEnv()
	if err == nil || !strings.Contains(err.Error(), EnvVar) {
		t.Fatalf("ForceFromEnv with a bad tier: %v", err)
	}
	t.Setenv(EnvVar, "generic")
	if err := ForceFromEnv(); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(Describe(), "gemms8=generic") {
		t.Fatal(Describe())
	}
	// A tier this CPU lacks is an error, never a SIGILL.
	for _, tier := range Tiers() {
		if !tier.Supported {
			t.Setenv(EnvVar, tier.Family+"="+tier.Name)
			if err := ForceFromEnv(); !errors.Is(err, ErrUnsupported) {
				t.Fatalf("%s=%s: %v", tier.Family, tier.Name, err)
			}
		}
	}
}

// TestExpectedTiers lets the kernel matrix prove which tiers ran: with
// HRM_EXPECT_TIERS="gemms8=neon,gemmf32=neon" the default selection on this
// (emulated) CPU must be exactly that.
func TestExpectedTiers(t *testing.T) {
	want := os.Getenv("HRM_EXPECT_TIERS")
	if want == "" {
		t.Skip("HRM_EXPECT_TIERS not set")
	}
	if err := EnvError(); err != nil {
		t.Fatal(err)
	}
	// Redo the start-up decision: other tests switch tiers.
	defer Reset()
	Reset()
	if err := ForceFromEnv(); err != nil {
		t.Fatal(err)
	}
	got := map[string]string{}
	for _, s := range Selected() {
		got[s.Family] = s.Name
	}
	for _, item := range strings.Split(want, ",") {
		f, name, _ := strings.Cut(strings.TrimSpace(item), "=")
		if got[f] != name {
			t.Errorf("family %s: selected %q, expected %q (%s)", f, got[f], name, Describe())
		}
	}
	t.Logf("selected: %s", Describe())
}

// The hot paths allocate nothing (the runtime's sessions own every buffer
// and check that memory stays constant over thousands of segments).
func TestNoAllocs(t *testing.T) {
	for _, fam := range families {
		t.Run(fam, func(t *testing.T) {
			eachTier(t, fam, func(t *testing.T) {
				var n float64
				switch fam {
				case FamilyGemmS8:
					w, _ := PackS8(make([]int8, 37*512), 37, 512)
					a, c := make([]int8, 82*512), make([]int32, 82*37)
					n = testing.AllocsPerRun(5, func() { GemmS8(c, a, 82, &w) })
				case FamilyGemmF32:
					a, w, c := make([]float32, 82*512), make([]float32, 11*512), make([]float32, 82*11)
					n = testing.AllocsPerRun(5, func() { GemmF32NT(c, a, w, 82, 11, 512, true) })
				case FamilyAttention:
					qkv, o := make([]float32, 82*3*512), make([]float32, 82*512)
					ws := make([]float32, AttentionWorkspace(82, 64))
					n = testing.AllocsPerRun(5, func() { AttentionF32HeadsWs(o, qkv, 82, 8, 64, 0, 8, ws) })
				case FamilyVector:
					x, y, z := make([]float32, 1541), make([]float32, 1541), make([]float32, 1541)
					q, acc := make([]int8, 1541), make([]int32, 1541)
					for i := range x {
						x[i], y[i] = float32(i%7)-3, float32(i%5)
					}
					n = testing.AllocsPerRun(5, func() {
						QuantizeRowS8(q, x)
						DequantS8(z, acc, 0.5, y)
						SwiGLU(z, x, y)
						AddRMSNorm(x, y, 1e-5)
						SwiGLUBwd(z[:700], y[:700], x[:700], x[700:1400], y[700:1400])
						RMSNormBwd(z, y, 0.5)
						RoPEHalf(x[:1536], y[:32], z[:32])
						RoPEHalf(x[:1530], y[:17], z[:17])
					})
				}
				if n != 0 {
					t.Errorf("%v allocations per call", n)
				}
			})
		})
	}
}

package asm

import (
	"errors"
	"fmt"
	"os"
	"runtime"
	"sort"
	"strings"
)

// Kernel families. Each family has its own set of tiers and its own
// selected tier; a tier name such as "avx2" may exist in several families.
const (
	FamilyGemmS8    = "gemms8"    // GemmS8
	FamilyGemmF32   = "gemmf32"   // GemmF32NT, GemmF32NN, GemmF32TN
	FamilyAttention = "attention" // AttentionF32, AttentionF32Heads
	// FamilyVector: QuantizeRowS8, DequantS8, SwiGLU, AddRMSNorm, RoPEHalf,
	// SwiGLUBwd, RMSNormBwd.
	FamilyVector = "vector"
)

var families = []string{FamilyGemmS8, FamilyGemmF32, FamilyAttention, FamilyVector}

// EnvVar names the environment variable read once at start-up to force
// tiers; see Use for its syntax.
const EnvVar = "HRM_KERNELS"

// Tier describes one implementation of a kernel family.
type Tier struct {
	Name      string // "avx512vnni", "avx2", "neon", "generic", ...
	Family    string // FamilyGemmS8, FamilyGemmF32, FamilyAttention or FamilyVector
	Supported bool   // this CPU (and this build) can run it
	Selected  bool   // it is the one the family's functions call now
	Requires  string // CPU features it needs, for messages ("AVX512F+AVX512VNNI")
}

// impl is a registered tier. Tiers of a family are kept best first.
type impl struct {
	family    string
	name      string
	rank      int // capability level, used when a forced name is absent from a family
	supported bool
	requires  string
	install   func() // points the family's function values at this tier
}

// Ranks order tier names across families so that "HRM_KERNELS=avxvnni"
// also means "no AVX-512" for the float families, which have no avxvnni
// tier: a forced name can only lower the other families, never raise them.
var tierRank = map[string]int{
	"generic":    0,
	"neon":       1,
	"avx2":       1,
	"dotprod":    2,
	"avxvnni":    2,
	"avx512":     3,
	"avx512vnni": 3,
}

var (
	impls    = buildImpls()
	selected = map[string]*impl{}
	envErr   error
)

func buildImpls() []*impl {
	all := archImpls()
	all = append(all,
		&impl{family: FamilyGemmS8, name: "generic", supported: true, install: installGemmS8Generic},
		&impl{family: FamilyGemmF32, name: "generic", supported: true, install: installGemmF32Generic},
		&impl{family: FamilyAttention, name: "generic", supported: true, install: installAttentionGeneric},
		&impl{family: FamilyVector, name: "generic", supported: true, install: installVectorGeneric},
	)
	for _, im := range all {
		im.rank = tierRank[im.name]
	}
	// Stable: archImpls lists each family best first, generic comes last.
	sort.SliceStable(all, func(i, j int) bool { return famIndex(all[i].family) < famIndex(all[j].family) })
	return all
}

func famIndex(f string) int {
	for i, g := range families {
		if g == f {
			return i
		}
	}
	return len(families)
}

func init() {
	Reset()
	envErr = ForceFromEnv()
}

// Tiers lists every tier compiled into this binary for this GOARCH, per
// family best first, with whether the CPU supports it and which is selected.
func Tiers() []Tier {
	out := make([]Tier, 0, len(impls))
	for _, im := range impls {
		out = append(out, Tier{Name: im.name, Family: im.family, Supported: im.supported,
			Selected: selected[im.family] == im, Requires: im.requires})
	}
	return out
}

// Selected returns the selected tier of every family, in family order.
func Selected() []Tier {
	var out []Tier
	for _, t := range Tiers() {
		if t.Selected {
			out = append(out, t)
		}
	}
	return out
}

// Describe is a one-line summary of the selected tiers, for logs and
// "hrm-run -v": "gemms8=avx512vnni gemmf32=avx512 attention=avx512
// vector=avx512 (amd64)".
func Describe() string {
	var b strings.Builder
	for _, t := range Selected() {
		fmt.Fprintf(&b, "%s=%s ", t.Family, t.Name)
	}
	fmt.Fprintf(&b, "(%s", runtime.GOARCH)
	if v := os.Getenv(EnvVar); v != "" {
		fmt.Fprintf(&b, ", %s=%s", EnvVar, v)
	}
	b.WriteString(")")
	return b.String()
}

// Reset selects the best supported tier of every family.
func Reset() {
	for _, f := range families {
		for _, im := range impls {
			if im.family == f && im.supported {
				selectImpl(im)
				break
			}
		}
	}
}

func selectImpl(im *impl) {
	im.install()
	selected[im.family] = im
}

// EnvError reports a bad HRM_KERNELS value found at start-up (unknown tier,
// or a tier this CPU cannot run); the best tiers stay selected in that case.
// Command-line tools should print it and exit with status 2.
func EnvError() error { return envErr }

// ForceFromEnv applies HRM_KERNELS (see Use). An empty value changes
// nothing. It runs once at package initialisation; call it again after
// changing the environment.
func ForceFromEnv() error {
	v := strings.TrimSpace(os.Getenv(EnvVar))
	if v == "" {
		return nil
	}
	if err := Use(v); err != nil {
		return fmt.Errorf("%s=%q: %w", EnvVar, v, err)
	}
	return nil
}

// ErrUnsupported is wrapped by errors from Use when the CPU lacks a tier.
var ErrUnsupported = errors.New("not supported by this CPU")

// Use selects tiers. spec is a comma-separated list of items, each either a
// tier name applied to every family ("avx2"), or "family=tier"
// ("gemms8=generic"); "best" resets. Items apply left to right. For a
// family that lacks a plain tier name, the best supported tier of no higher
// capability is used, so a name can only lower the other families (avxvnni
// implies avx2 for gemmf32; dotprod implies neon). Nothing changes when
// spec names an unknown tier or one the CPU cannot run; the error says why.
//
// Use must not run concurrently with kernels; it is meant for start-up and
// tests.
func Use(spec string) error {
	plan := map[string]*impl{}
	for f, im := range selected {
		plan[f] = im
	}
	for _, item := range strings.Split(spec, ",") {
		item = strings.TrimSpace(item)
		if item == "" {
			continue
		}
		if item == "best" {
			for _, f := range families {
				plan[f] = bestImpl(f, 99)
			}
			continue
		}
		if fam, name, ok := strings.Cut(item, "="); ok {
			if famIndex(fam) == len(families) {
				return fmt.Errorf("unknown kernel family %q (families: %s)", fam, strings.Join(families, ", "))
			}
			im, err := lookup(fam, name)
			if err != nil {
				return err
			}
			plan[fam] = im
			continue
		}
		rank, known := tierRank[item]
		if !known {
			return fmt.Errorf("unknown kernel tier %q (tiers on %s: %s)", item, runtime.GOARCH, strings.Join(tierNames(), ", "))
		}
		found := false
		for _, f := range families {
			if im := findImpl(f, item); im != nil {
				if !im.supported {
					return unsupported(im)
				}
				plan[f] = im
				found = true
			} else {
				plan[f] = bestImpl(f, rank)
			}
		}
		if !found {
			return fmt.Errorf("kernel tier %q does not exist on %s (tiers: %s)", item, runtime.GOARCH, strings.Join(tierNames(), ", "))
		}
	}
	for _, f := range families {
		selectImpl(plan[f])
	}
	return nil
}

func lookup(fam, name string) (*impl, error) {
	if name == "best" {
		return bestImpl(fam, 99), nil
	}
	im := findImpl(fam, name)
	if im == nil {
		var have []string
		for _, x := range impls {
			if x.family == fam {
				have = append(have, x.name)
			}
		}
		return nil, fmt.Errorf("kernel family %s has no tier %q on %s (tiers: %s)", fam, name, runtime.GOARCH, strings.Join(have, ", "))
	}
	if !im.supported {
		return nil, unsupported(im)
	}
	return im, nil
}

func unsupported(im *impl) error {
	return fmt.Errorf("kernel tier %s/%s needs %s: %w", im.family, im.name, im.requires, ErrUnsupported)
}

func findImpl(fam, name string) *impl {
	for _, im := range impls {
		if im.family == fam && im.name == name {
			return im
		}
	}
	return nil
}

// bestImpl is the best supported tier of fam with rank <= maxRank; generic
// always qualifies.
func bestImpl(fam string, maxRank int) *impl {
	for _, im := range impls {
		if im.family == fam && im.supported && im.rank <= maxRank {
			return im
		}
	}
	panic("asm: family without a generic tier: " + fam)
}

func tierNames() []string {
	seen := map[string]bool{}
	var out []string
	for _, im := range impls {
		if !seen[im.name] {
			seen[im.name] = true
			out = append(out, im.name)
		}
	}
	return out
}

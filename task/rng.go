package data

import (
	"math/bits"
	"math/rand/v2"
)

// All randomness in this package is drawn from a rand.Source (normally a
// *rand.PCG) through the helpers below. Bounded integers, shuffles and
// permutations are implemented here rather than through *rand.Rand so that
// the generated streams depend only on the PCG algorithm (which math/rand/v2
// specifies exactly) and not on the implementation details of the
// convenience methods of *rand.Rand.

// mix64 is the SplitMix64 finaliser; it turns structured seeds (0, 1, 2, …)
// into well-spread PCG seed words.
func mix64(x uint64) uint64 {
	x += 0x9e3779b97f4a7c15
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9
	x = (x ^ (x >> 27)) * 0x94d049bb133111eb
	return x ^ (x >> 31)
}

// NewPCG returns a PCG generator for (seed, stream). Different streams of the
// same seed are statistically independent; the words are passed through
// SplitMix64 first so that adjacent seeds/streams do not give correlated
// outputs.
func NewPCG(seed, stream uint64) *rand.PCG {
	return rand.NewPCG(mix64(seed^0x5851f42d4c957f2d), mix64(stream+0x14057b7ef767814f))
}

// posPCG is the generator used for the example at stream position pos of a
// position-addressable source (see Source).
func posPCG(seed, salt, pos uint64) *rand.PCG {
	return NewPCG(seed^mix64(salt), pos)
}

// intn returns a uniform integer in [0, n) (Lemire's nearly-divisionless
// method, unbiased). n must be > 0.
func intn(r rand.Source, n int) int {
	if n <= 0 {
		panic("data: intn with n <= 0")
	}
	un := uint64(n)
	hi, lo := bits.Mul64(r.Uint64(), un)
	if lo < un {
		thresh := -un % un
		for lo < thresh {
			hi, lo = bits.Mul64(r.Uint64(), un)
		}
	}
	return int(hi)
}

// shuffleInts shuffles s in place (Fisher–Yates).
func shuffleInts(r rand.Source, s []int) {
	for i := len(s) - 1; i > 0; i-- {
		j := intn(r, i+1)
		s[i], s[j] = s[j], s[i]
	}
}

// perm returns a uniformly random permutation of 0..n-1.
func perm(r rand.Source, n int) []int {
	p := make([]int, n)
	for i := range p {
		p[i] = i
	}
	shuffleInts(r, p)
	return p
}

// coin returns true with probability ½.
func coin(r rand.Source) bool { return r.Uint64()>>63 == 1 }

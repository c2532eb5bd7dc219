package task

import (
	"encoding/binary"
	"math/bits"
	"math/rand/v2"
	"slices"
)

// All randomness in this package is drawn from a rand.Source (normally a
// *rand.PCG) through the helpers below. Bounded integers, shuffles and
// permutations are implemented here rather than through *rand.Rand so that
// the generated streams depend only on the PCG algorithm (which math/rand/v2
// specifies exactly) and not on the implementation details of the
// convenience methods of *rand.Rand.

// Mix64 is the SplitMix64 finaliser; it turns structured seeds (0, 1, 2, …)
// into well-spread PCG seed words.
func Mix64(x uint64) uint64 {
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
	return rand.NewPCG(Mix64(seed^0x5851f42d4c957f2d), Mix64(stream+0x14057b7ef767814f))
}

// Intn returns a uniform integer in [0, n) (Lemire's nearly-divisionless
// method, unbiased). n must be > 0.
func Intn(r rand.Source, n int) int {
	if n <= 0 {
		panic("task: Intn with n <= 0")
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

// Shuffle shuffles s in place (Fisher–Yates).
func Shuffle(r rand.Source, s []int) {
	for i := len(s) - 1; i > 0; i-- {
		j := Intn(r, i+1)
		s[i], s[j] = s[j], s[i]
	}
}

// Perm returns a uniformly random permutation of 0..n-1.
func Perm(r rand.Source, n int) []int {
	p := make([]int, n)
	for i := range p {
		p[i] = i
	}
	Shuffle(r, p)
	return p
}

// Coin returns true with probability ½.
func Coin(r rand.Source) bool { return r.Uint64()>>63 == 1 }

// Hash is a salted 64-bit FNV-1a with a SplitMix64 finish. It is stable
// across processes and platforms: keys and stream fingerprints are stored
// in checkpoints.
func Hash(salt uint64, b []byte) uint64 {
	h := uint64(14695981039346656037) ^ Mix64(salt)
	for _, c := range b {
		h ^= uint64(c)
		h *= 1099511628211
	}
	return Mix64(h ^ uint64(len(b)))
}

// HashSortedU64 hashes the multiset of v (v is not modified).
func HashSortedU64(v []uint64) uint64 {
	s := slices.Clone(v)
	slices.Sort(s)
	buf := make([]byte, 8*len(s))
	for i, x := range s {
		binary.LittleEndian.PutUint64(buf[8*i:], x)
	}
	return Hash(0x5e7, buf)
}

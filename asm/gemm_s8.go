package asm

import (
	"errors"
	"fmt"
	"sync"
	"unsafe"
)

// Packed int8 weight layout, shared by every target and stored as is in the
// weight file:
//
//	[NP/16][KP/4][16][4]int8
//
// Output rows (the n index) come in tiles of S8TileN = 16; inside a tile,
// k runs in groups of 4, and each group stores 4 consecutive k values of
// each of the 16 rows. One 64-byte group is exactly one zmm (VPDPBUSD over
// 16 int32 lanes), two ymm, or four NEON q registers (SDOT over 4 lanes).
// N and K are padded with zeros to NP = roundup(N,16), KP = roundup(K,16):
// padding K to 16 rather than 4 lets every kernel step 16 k at a time with
// no tail code.
const (
	S8TileN  = 16 // output rows per packed tile
	S8KAlign = 16 // K is padded to a multiple of this
	// S8MaxK bounds K so that no int32 accumulator can overflow even on the
	// VNNI tiers, which multiply (a+128) <= 255 by |w| <= 127.
	S8MaxK = 1 << 16
)

// PackedS8 is an int8 weight matrix W [N,K] in the packed layout above,
// with RowSum[n] = Σ_k W[n][k] (the VNNI tiers feed a+128 as unsigned
// bytes and subtract 128·RowSum). Values must be in [-127,127]: -128 would
// overflow the int16 pair sums of the arm64 NEON tier.
type PackedS8 struct {
	N, K   int
	NP, KP int     // padded sizes
	Data   []int8  // len NP*KP
	RowSum []int32 // len N
}

func roundUp(x, m int) int { return (x + m - 1) / m * m }

// PackedS8Size is the number of bytes of a packed [n,k] matrix.
func PackedS8Size(n, k int) int { return roundUp(n, S8TileN) * roundUp(k, S8KAlign) }

func checkS8Shape(n, k int) error {
	if n <= 0 || k <= 0 {
		return fmt.Errorf("asm: packed int8 matrix [%d,%d]: sizes must be positive", n, k)
	}
	if k > S8MaxK {
		return fmt.Errorf("asm: packed int8 matrix [%d,%d]: K > %d could overflow int32", n, k, S8MaxK)
	}
	return nil
}

// PackS8 packs a row-major int8 matrix w [n,k] and computes its row sums.
func PackS8(w []int8, n, k int) (PackedS8, error) {
	if err := checkS8Shape(n, k); err != nil {
		return PackedS8{}, err
	}
	if len(w) < n*k {
		return PackedS8{}, fmt.Errorf("asm: PackS8: len(w)=%d < %d·%d", len(w), n, k)
	}
	p := PackedS8{N: n, K: k, NP: roundUp(n, S8TileN), KP: roundUp(k, S8KAlign)}
	p.Data = make([]int8, p.NP*p.KP)
	p.RowSum = make([]int32, n)
	for r := 0; r < n; r++ {
		row := w[r*k : r*k+k]
		base := (r/S8TileN)*S8TileN*p.KP + (r%S8TileN)*4
		var s int32
		for j, x := range row {
			if x == -128 {
				return PackedS8{}, fmt.Errorf("asm: PackS8: w[%d][%d] = -128; weights must be in [-127,127]", r, j)
			}
			p.Data[base+(j/4)*64+j%4] = x
			s += int32(x)
		}
		p.RowSum[r] = s
	}
	return p, nil
}

// PackedS8FromBytes wraps already packed bytes (for example a memory-mapped
// weight file) without copying. rowsum may be nil, in which case the sums
// are computed; otherwise it must hold n sums and is checked. The contents
// are verified (see Verify), which reads every byte once.
func PackedS8FromBytes(data []byte, rowsum []int32, n, k int) (PackedS8, error) {
	if err := checkS8Shape(n, k); err != nil {
		return PackedS8{}, err
	}
	if len(data) != PackedS8Size(n, k) {
		return PackedS8{}, fmt.Errorf("asm: packed int8 matrix [%d,%d]: %d bytes, want %d", n, k, len(data), PackedS8Size(n, k))
	}
	p := PackedS8{N: n, K: k, NP: roundUp(n, S8TileN), KP: roundUp(k, S8KAlign)}
	p.Data = unsafe.Slice((*int8)(unsafe.Pointer(unsafe.SliceData(data))), len(data))
	if rowsum == nil {
		p.RowSum = make([]int32, n)
		p.computeRowSums(p.RowSum)
	} else {
		if len(rowsum) != n {
			return PackedS8{}, fmt.Errorf("asm: packed int8 matrix [%d,%d]: %d row sums, want %d", n, k, len(rowsum), n)
		}
		p.RowSum = rowsum
	}
	if err := p.Verify(); err != nil {
		return PackedS8{}, err
	}
	return p, nil
}

// Bytes returns the packed data as bytes, sharing memory with p.
func (p *PackedS8) Bytes() []byte {
	return unsafe.Slice((*byte)(unsafe.Pointer(unsafe.SliceData(p.Data))), len(p.Data))
}

func (p *PackedS8) computeRowSums(dst []int32) {
	for r := 0; r < p.N; r++ {
		base := (r/S8TileN)*S8TileN*p.KP + (r%S8TileN)*4
		var s int32
		for g := 0; g < p.KP/4; g++ {
			q := p.Data[base+g*64 : base+g*64+4]
			s += int32(q[0]) + int32(q[1]) + int32(q[2]) + int32(q[3])
		}
		dst[r] = s
	}
}

// Verify checks what the kernels rely on: consistent sizes, zero padding,
// no -128, and row sums that match the data. Weights from an untrusted file
// must pass it: a wrong row sum would make the VNNI tiers silently disagree
// with the others.
func (p *PackedS8) Verify() error {
	if err := checkS8Shape(p.N, p.K); err != nil {
		return err
	}
	if p.NP != roundUp(p.N, S8TileN) || p.KP != roundUp(p.K, S8KAlign) || len(p.Data) != p.NP*p.KP || len(p.RowSum) != p.N {
		return errors.New("asm: packed int8 matrix: inconsistent sizes")
	}
	for t := 0; t < p.NP/S8TileN; t++ {
		tile := p.Data[t*S8TileN*p.KP : (t+1)*S8TileN*p.KP]
		for i, x := range tile {
			g, j, kk := i/64, (i%64)/4, i%4
			r, c := t*S8TileN+j, g*4+kk
			if r >= p.N || c >= p.K {
				if x != 0 {
					return fmt.Errorf("asm: packed int8 matrix: padding at row %d col %d is %d, not 0", r, c, x)
				}
			} else if x == -128 {
				return fmt.Errorf("asm: packed int8 matrix: w[%d][%d] = -128; weights must be in [-127,127]", r, c)
			}
		}
	}
	sums := make([]int32, p.N)
	p.computeRowSums(sums)
	for r, s := range sums {
		if s != p.RowSum[r] {
			return fmt.Errorf("asm: packed int8 matrix: row sum %d is %d, data sums to %d", r, p.RowSum[r], s)
		}
	}
	return nil
}

// Tiles is the number of 16-row tiles, the unit of GemmS8Tiles.
func (p *PackedS8) Tiles() int { return p.NP / S8TileN }

// GemmS8 computes c[i*N+j] = Σ_k a[i*K+k]·W[j][k] for i < m, j < N, with
// a row-major [m,K] int8 (any value) and W packed. Results are exact.
// It panics if c or a is too short.
func GemmS8(c []int32, a []int8, m int, w *PackedS8) {
	GemmS8Tiles(c, a, m, w, 0, w.Tiles())
}

// GemmS8Tiles computes only the output columns of tiles [t0,t1), that is
// j in [16·t0, min(N,16·t1)), into the same [m,N] c. Threads can split a
// product by tiles.
func GemmS8Tiles(c []int32, a []int8, m int, w *PackedS8, t0, t1 int) {
	if m < 0 || t0 < 0 || t1 > w.Tiles() || t0 > t1 {
		panic(fmt.Sprintf("asm: GemmS8Tiles: bad range m=%d tiles [%d,%d) of %d", m, t0, t1, w.Tiles()))
	}
	if len(c) < m*w.N || len(a) < m*w.K {
		panic(fmt.Sprintf("asm: GemmS8: len(c)=%d len(a)=%d, want %d·%d and %d·%d", len(c), len(a), m, w.N, m, w.K))
	}
	if m == 0 || t0 == t1 {
		return
	}
	if len(w.Data) != w.NP*w.KP || len(w.RowSum) != w.N {
		panic("asm: GemmS8: malformed PackedS8")
	}
	if s8Cur == nil {
		gemmS8Generic(c, a, m, w, t0, t1)
		return
	}
	gemmS8Driver(s8Cur, c, a, m, w, t0, t1)
}

// s8Kernel is one asm tier of GemmS8. Its kern computes mr rows (mrMax
// are computed, the first mr stored) by nt tiles over the whole padded K:
//
//	c[r*ldc + t*16 + j] = Σ_k a[r*lda + k]·w[t][k][j] (− 128·rowsum[t*16+j] for act == actU8)
//
// a is the tier's activation copy: KP values per row, mrMax rows readable.
type s8Kernel struct {
	mrMax int
	act   int // actU8, actS16 or actS8
	kern  func(c *int32, ldc int, a *byte, lda int, w *int8, kp int, nt int, rowsum *int32, mr int)
}

const (
	actU8  = iota // a+128 as unsigned bytes (VPDPBUSD's unsigned operand)
	actS16        // sign-extended to int16 (VPMADDWD)
	actS8         // plain int8 (SDOT, SMULL)
)

var s8Cur *s8Kernel // nil: generic

func installGemmS8Generic() { s8Cur = nil }

var s8Pool = sync.Pool{New: func() any { return new([]byte) }}

func gemmS8Driver(kn *s8Kernel, c []int32, a []int8, m int, w *PackedS8, t0, t1 int) {
	K, N, KP := w.K, w.N, w.KP
	mp := roundUp(m, kn.mrMax)
	elt := 1
	if kn.act == actS16 {
		elt = 2
	}
	lda := KP * elt
	bp := s8Pool.Get().(*[]byte)
	if cap(*bp) < mp*lda {
		*bp = make([]byte, mp*lda+64)
	}
	buf := (*bp)[:mp*lda]
	for i := 0; i < mp; i++ {
		dst := buf[i*lda : (i+1)*lda]
		var src []int8
		if i < m {
			src = a[i*K : i*K+K]
		}
		convertActRow(kn.act, dst, src)
	}

	// Keep a block of weight tiles hot in L1/L2 while every row block
	// passes over it: about 48 KB of weights per block.
	nb := 49152 / (S8TileN * KP)
	if nb < 1 {
		nb = 1
	}
	full := N / S8TileN // tiles without padded rows
	var scratch [8 * S8TileN]int32
	var rs [S8TileN]int32
	for tb := t0; tb < t1; tb += nb {
		te := min(tb+nb, t1)
		fe := min(te, full)
		for i := 0; i < m; i += kn.mrMax {
			mr := min(kn.mrMax, m-i)
			if fe > tb {
				kn.kern(&c[i*N+tb*S8TileN], N, &buf[i*lda], lda, &w.Data[tb*S8TileN*KP], KP, fe-tb, &w.RowSum[tb*S8TileN], mr)
			}
			if te > full {
				// The last tile has padded rows: compute it into scratch.
				t := full
				copy(rs[:], w.RowSum[t*S8TileN:])
				kn.kern(&scratch[0], S8TileN, &buf[i*lda], lda, &w.Data[t*S8TileN*KP], KP, 1, &rs[0], mr)
				nv := N - t*S8TileN
				for r := 0; r < mr; r++ {
					copy(c[(i+r)*N+t*S8TileN:(i+r)*N+N], scratch[r*S8TileN:r*S8TileN+nv])
				}
			}
		}
	}
	s8Pool.Put(bp)
}

func convertActRow(act int, dst []byte, src []int8) {
	switch act {
	case actU8:
		// x+128 as a byte is x with its top bit flipped.
		for j, x := range src {
			dst[j] = byte(x) ^ 0x80
		}
		for j := len(src); j < len(dst); j++ {
			dst[j] = 0x80
		}
	case actS16:
		d := unsafe.Slice((*int16)(unsafe.Pointer(&dst[0])), len(dst)/2)
		for j, x := range src {
			d[j] = int16(x)
		}
		clear(d[len(src):])
	case actS8:
		for j, x := range src {
			dst[j] = byte(x)
		}
		clear(dst[len(src):])
	}
}

// gemmS8Generic is the reference: plain Go over the packed layout.
func gemmS8Generic(c []int32, a []int8, m int, w *PackedS8, t0, t1 int) {
	K, N, KP := w.K, w.N, w.KP
	kfull := K / 4
	for t := t0; t < t1; t++ {
		tile := w.Data[t*S8TileN*KP : (t+1)*S8TileN*KP]
		nv := min(S8TileN, N-t*S8TileN)
		for i := 0; i < m; i++ {
			row := a[i*K : i*K+K]
			var acc [S8TileN]int32
			for g := 0; g < kfull; g++ {
				q := (*[4]int8)(row[4*g : 4*g+4])
				dotGroup(&acc, (*[64]int8)(tile[g*64:g*64+64]), int32(q[0]), int32(q[1]), int32(q[2]), int32(q[3]))
			}
			if K%4 != 0 {
				var q [4]int32
				for j := 0; j < K%4; j++ {
					q[j] = int32(row[4*kfull+j])
				}
				dotGroup(&acc, (*[64]int8)(tile[kfull*64:kfull*64+64]), q[0], q[1], q[2], q[3])
			}
			copy(c[i*N+t*S8TileN:i*N+t*S8TileN+nv], acc[:nv])
		}
	}
}

func dotGroup(acc *[S8TileN]int32, wg *[64]int8, a0, a1, a2, a3 int32) {
	for j := 0; j < S8TileN; j++ {
		acc[j] += a0*int32(wg[4*j]) + a1*int32(wg[4*j+1]) + a2*int32(wg[4*j+2]) + a3*int32(wg[4*j+3])
	}
}

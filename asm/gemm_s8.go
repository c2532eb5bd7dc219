package asm

import (
	"encoding/binary"
	"errors"
	"fmt"
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
// overflow the int16 pair sums of the avx2 and arm64 NEON tiers.
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
		for g := 0; g < p.KP/4; g++ {
			grp := (*[64]int8)(tile[g*64 : g*64+64])
			for j := 0; j < S8TileN; j++ {
				r := t*S8TileN + j
				for kk := 0; kk < 4; kk++ {
					x, c := grp[4*j+kk], g*4+kk
					if x == -128 {
						return fmt.Errorf("asm: packed int8 matrix: w[%d][%d] = -128; weights must be in [-127,127]", r, c)
					}
					if x != 0 && (r >= p.N || c >= p.K) {
						return fmt.Errorf("asm: packed int8 matrix: padding at row %d col %d is %d, not 0", r, c, x)
					}
				}
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
	checkS8Call(a, m, w, t0, t1)
	if len(c) < m*w.N {
		panic(fmt.Sprintf("asm: GemmS8: len(c)=%d, want %d·%d", len(c), m, w.N))
	}
	if m == 0 || t0 == t1 {
		return
	}
	if s8Cur == nil {
		gemmS8Generic(c, nil, a, m, w, t0, t1)
		return
	}
	gemmS8Driver(s8Cur, c, nil, a, m, w, t0, t1)
}

// S8Dequant is the epilogue of GemmS8DequantTiles: output (i, j) is
// float32(Σ_k a[i,k]·W[j,k]) · A[i] · W[j], in DequantS8's order.
type S8Dequant struct {
	Y    []float32 // [m, N] output
	A, W []float32 // per-row (activation) and per-column (weight) scales
}

// GemmS8DequantTiles is GemmS8Tiles followed by DequantS8 on each row's
// columns, with the same bits, but the int32 sums only pass through a
// small stack block while they are in L1: no [m, N] int32 buffer is
// written and read back (at batch 16 that buffer is 16 MB per gate_up).
func GemmS8DequantTiles(dq *S8Dequant, a []int8, m int, w *PackedS8, t0, t1 int) {
	checkS8Call(a, m, w, t0, t1)
	if len(dq.Y) < m*w.N || len(dq.A) < m || len(dq.W) < w.N {
		panic(fmt.Sprintf("asm: GemmS8DequantTiles: len(y)=%d len(scales)=%d,%d, want %d·%d, %d, %d", len(dq.Y), len(dq.A), len(dq.W), m, w.N, m, w.N))
	}
	if m == 0 || t0 == t1 {
		return
	}
	if s8Cur == nil {
		gemmS8Generic(nil, dq, a, m, w, t0, t1)
		return
	}
	gemmS8Driver(s8Cur, nil, dq, a, m, w, t0, t1)
}

// GemmS8SwiGLUTiles is, for a gate_up matrix W [2F, K] (gate rows then
// up rows, F a multiple of S8TileN), GemmS8DequantTiles into y [m, 2F]
// followed by SwiGLU(hid[i], y[i, :F], y[i, F:]), with the same bits, for
// the hid columns of gate tiles [t0, t1) (t1 ≤ F/16). Only hid [m, F] is
// written (dq.Y is unused): the gate and up sums of a row group meet in a
// stack block, so the [m, 2F] floats never go to memory.
func GemmS8SwiGLUTiles(dq *S8Dequant, hid []float32, a []int8, m int, w *PackedS8, t0, t1 int) {
	F := w.N / 2
	if w.N%(2*S8TileN) != 0 || t1 > F/S8TileN {
		panic(fmt.Sprintf("asm: GemmS8SwiGLUTiles: N=%d is not two halves of whole tiles, or tiles [%d,%d) pass the gate half", w.N, t0, t1))
	}
	checkS8Call(a, m, w, t0, t1)
	if len(hid) < m*F || len(dq.A) < m || len(dq.W) < w.N {
		panic(fmt.Sprintf("asm: GemmS8SwiGLUTiles: len(hid)=%d len(scales)=%d,%d, want %d·%d, %d, %d", len(hid), len(dq.A), len(dq.W), m, F, m, w.N))
	}
	if m == 0 || t0 == t1 {
		return
	}
	if s8Cur == nil {
		gemmS8SwiGLUGeneric(dq, hid, a, m, w, t0, t1)
		return
	}
	gemmS8SwiGLUDriver(s8Cur, dq, hid, a, m, w, t0, t1)
}

// gemmS8SwiGLUDriver is gemmS8Driver's loop for GemmS8SwiGLUTiles: per row
// group and block of gate tiles, the kernel runs on the gate tiles and on
// the matching up tiles (F/16 further), and the block's rows are
// dequantized and multiplied out while they are in L1.
func gemmS8SwiGLUDriver(kn *s8Kernel, dq *S8Dequant, hid []float32, a []int8, m int, w *PackedS8, t0, t1 int) {
	KP := w.KP
	F := w.N / 2
	var stack [s8StackBuf]byte
	acts := newS8Acts(kn, a, w, &stack)
	// Two weight blocks (gate and up) share what one block of
	// gemmS8Driver takes.
	nb := max(kn.tiles, s8WeightBlock/2/(S8TileN*KP)/kn.tiles*kn.tiles)
	nb = min(nb, s8SwiGLUCols/S8TileN)
	const ld = s8SwiGLULd
	// The row group's gate rows, then its up rows: int32 sums in blk, or
	// (kn.dq) their floats in the same memory, gu.
	var blk [2 * 6 * ld]int32
	var g, u [s8SwiGLUCols]float32
	gu := unsafe.Slice((*float32)(unsafe.Pointer(&blk[0])), len(blk))
	for i0 := 0; i0 < m; i0 += acts.rowsPer {
		i1 := min(i0+acts.rowsPer, m)
		acts.block(i0, i1)
		for tb := t0; tb < t1; tb += nb {
			te := min(tb+nb, t1)
			j0, j1 := tb*S8TileN, te*S8TileN
			n := j1 - j0
			for i := i0; i < i1; i += kn.mrMax {
				mr := min(kn.mrMax, i1-i)
				ab, la := acts.group(i)
				if kn.dq {
					pfd := prefetchDist(tb, te, t1, i-i0, kn, KP)
					callS8Dq(kn.id, &gu[0], ld, ab, la, &w.Data[j0*KP], KP, te-tb, &w.RowSum[j0], mr, &dq.A[i], &dq.W[j0], pfd)
					callS8Dq(kn.id, &gu[6*ld], ld, ab, la, &w.Data[(j0+F)*KP], KP, te-tb, &w.RowSum[j0+F], mr, &dq.A[i], &dq.W[F+j0], pfd)
					for r := 0; r < mr; r++ {
						SwiGLU(hid[(i+r)*F+j0:(i+r)*F+j1], gu[r*ld:r*ld+n], gu[(6+r)*ld:(6+r)*ld+n])
					}
					continue
				}
				callS8(kn.id, &blk[0], ld, ab, la, &w.Data[j0*KP], KP, te-tb, &w.RowSum[j0], mr)
				callS8(kn.id, &blk[6*ld], ld, ab, la, &w.Data[(j0+F)*KP], KP, te-tb, &w.RowSum[j0+F], mr)
				for r := 0; r < mr; r++ {
					DequantS8(g[:n], blk[r*ld:r*ld+n], dq.A[i+r], dq.W[j0:j1])
					DequantS8(u[:n], blk[(6+r)*ld:(6+r)*ld+n], dq.A[i+r], dq.W[F+j0:F+j1])
					SwiGLU(hid[(i+r)*F+j0:(i+r)*F+j1], g[:n], u[:n])
				}
			}
		}
	}
}

// gemmS8SwiGLUGeneric is GemmS8SwiGLUTiles on the generic kernel, tile by
// tile.
func gemmS8SwiGLUGeneric(dq *S8Dequant, hid []float32, a []int8, m int, w *PackedS8, t0, t1 int) {
	F := w.N / 2
	var gs, us [S8TileN]int32
	var g, u [S8TileN]float32
	for t := t0; t < t1; t++ {
		j0 := t * S8TileN
		for i := 0; i < m; i++ {
			tileDot(&gs, a[i*w.K:i*w.K+w.K], w, t)
			tileDot(&us, a[i*w.K:i*w.K+w.K], w, t+F/S8TileN)
			DequantS8(g[:], gs[:], dq.A[i], dq.W[j0:j0+S8TileN])
			DequantS8(u[:], us[:], dq.A[i], dq.W[F+j0:F+j0+S8TileN])
			SwiGLU(hid[i*F+j0:i*F+j0+S8TileN], g[:], u[:])
		}
	}
}

func checkS8Call(a []int8, m int, w *PackedS8, t0, t1 int) {
	if m < 0 || t0 < 0 || t1 > w.Tiles() || t0 > t1 {
		panic(fmt.Sprintf("asm: GemmS8Tiles: bad range m=%d tiles [%d,%d) of %d", m, t0, t1, w.Tiles()))
	}
	if len(a) < m*w.K {
		panic(fmt.Sprintf("asm: GemmS8: len(a)=%d, want %d·%d", len(a), m, w.K))
	}
	if len(w.Data) != w.NP*w.KP || len(w.RowSum) != w.N {
		panic("asm: GemmS8: malformed PackedS8")
	}
}

// s8Kernel is one asm tier of GemmS8. Its kernel (callS8 with id) computes mr rows (mrMax
// are computed, the first mr stored) by nt tiles over the whole padded K:
//
//	c[r*ldc + t*16 + j] = Σ_k a[r*lda + k]·w[t][k][j] (− 128·rowsum[t*16+j] for act == actU8)
//
// a is the tier's activation copy: KP values per row, mrMax rows readable.
type s8Kernel struct {
	mrMax int
	tiles int // tiles per register block: weight blocks are a multiple
	act   int // actU8, actS16 or actS8
	id    int // which assembly function callS8 runs
	// dq: the kernel also has a dequantizing store (callS8Dq), so the
	// drivers' float32 outputs need no int32 block in between.
	dq bool
}

const (
	actU8 = iota // a+128 as unsigned bytes (VPDPBUSD's unsigned operand)
	actSM        // sign-magnitude for VPMADDUBSW: see actRowBytes
	actS8        // plain int8 (SDOT, SMULL)
)

// actRowBytes is the stride of one converted activation row. actSM rows
// hold, per k-group of 4, the bytes |a| and then the masks (a<0 ? 0xFF : 0),
// followed at offset 2·kp by corr = Σ_{a<0} |a| as an int32 (see
// gemm_s8_avx2_amd64.s for why); the 64-byte tail keeps rows apart from
// 4 KiB strides, where loads of different rows would alias in L1.
func actRowBytes(act, kp int) int {
	if act == actSM {
		return 2*kp + 64
	}
	return kp
}

var s8Cur *s8Kernel // nil: generic

func installGemmS8Generic() { s8Cur = nil }

// s8StackBuf bounds the activation copy kept on the stack: rows are
// converted and multiplied in blocks that fit, so GemmS8 allocates nothing
// (a pool would let retained memory drift with the number of threads).
// Every row block streams all of the weights once, from L2 or beyond, so
// larger blocks mean fewer passes: 96 KB is 192 rows of K = 512 for the
// VNNI tiers (88 for avx2, whose rows take 2 bytes per k), and stays within
// the compiler's 128 KB limit for stack variables.
const s8StackBuf = 96 << 10

// s8WeightBlock is the size of the weight blocks that one row block's row
// groups pass over in turn: small enough to stay in L2 beside the
// activations (Zen 3 has 512 KB), large enough that each kernel call covers
// several tiles. On Zen 4, 64-256 KB measured within 1% of each other and
// about 2% faster than 48 KB at M = 1312.
const s8WeightBlock = 128 << 10

// s8DequantCols bounds the columns of one weight block when the driver
// dequantizes for a kernel without a dequantizing store (s8Kernel.dq): its
// int32 block (mrMax rows of them) stays on the stack.
const s8DequantCols = 1024

// s8DequantLd is the row stride of that block: not a multiple of 4 KiB,
// where stores of one row group would alias in L1.
const s8DequantLd = s8DequantCols + 16

// s8SwiGLUCols and s8SwiGLULd are the same for GemmS8SwiGLUTiles, whose
// block holds gate and up sums and, beside it, their floats.
const (
	s8SwiGLUCols = 512
	s8SwiGLULd   = s8SwiGLUCols + 16
)

// s8Acts is the drivers' view of the activations: a row block at a time
// converted into the tier's form in buf, which the caller keeps on its
// stack so that the product allocates nothing.
type s8Acts struct {
	kn      *s8Kernel
	a       []int8
	K, lda  int
	rowsPer int // rows per block
	direct  bool
	buf     []byte
	inPlace int // rows of the block below inPlace are read from a
	base    int // row i >= inPlace is at buf[(i-base)*lda:]
}

func newS8Acts(kn *s8Kernel, a []int8, w *PackedS8, stack *[s8StackBuf]byte) s8Acts {
	s := s8Acts{kn: kn, a: a, K: w.K, lda: actRowBytes(kn.act, w.KP), buf: stack[:]}
	s.rowsPer = s8StackBuf / s.lda / kn.mrMax * kn.mrMax
	if s.rowsPer == 0 { // K over 16,000 or so: not HRM's or TRM's shapes
		s.rowsPer = kn.mrMax
		s.buf = make([]byte, s.rowsPer*s.lda)
	}
	// Plain int8 rows with no K padding need no copy: the kernel reads a in
	// place, except for a last group of fewer than mrMax rows.
	s.direct = kn.act == actS8 && w.K == w.KP
	return s
}

// block converts the rows [i0, i1) of one row block.
func (s *s8Acts) block(i0, i1 int) {
	K, lda, mrMax := s.K, s.lda, s.kn.mrMax
	s.inPlace, s.base = i0, i0
	if s.direct {
		s.inPlace = i1 - (i1-i0)%mrMax
		s.base = s.inPlace
	}
	mp := roundUp(i1-s.base, mrMax)
	for i := 0; i < mp; i++ {
		var src []int8
		if s.base+i < i1 {
			src = s.a[(s.base+i)*K : (s.base+i)*K+K]
		}
		convertActRow(s.kn.act, s.buf[i*lda:(i+1)*lda], src)
	}
}

// group is the first row and the row stride of the row group at row i of
// the current block, as the kernel reads them.
func (s *s8Acts) group(i int) (*byte, int) {
	if i < s.inPlace {
		return (*byte)(unsafe.Pointer(&s.a[i*s.K])), s.K
	}
	return &s.buf[(i-s.base)*s.lda], s.lda
}

// gemmS8Driver writes int32 sums to c, or (c nil) dequantized floats
// through dq.
func gemmS8Driver(kn *s8Kernel, c []int32, dq *S8Dequant, a []int8, m int, w *PackedS8, t0, t1 int) {
	N, KP := w.N, w.KP
	var stack [s8StackBuf]byte
	acts := newS8Acts(kn, a, w, &stack)

	nb := max(kn.tiles, s8WeightBlock/(S8TileN*KP)/kn.tiles*kn.tiles)
	// blk holds one row group × weight block of sums for dq, unless the
	// kernel dequantizes as it stores.
	var blk [6 * s8DequantLd]int32
	if dq != nil && !kn.dq {
		nb = min(nb, s8DequantCols/S8TileN)
	}
	full := N / S8TileN // tiles without padded rows
	var scratch [8 * S8TileN]int32
	var rs [S8TileN]int32
	for i0 := 0; i0 < m; i0 += acts.rowsPer {
		i1 := min(i0+acts.rowsPer, m)
		acts.block(i0, i1)
		for tb := t0; tb < t1; tb += nb {
			te := min(tb+nb, t1)
			fe := min(te, full)
			for i := i0; i < i1; i += kn.mrMax {
				mr := min(kn.mrMax, i1-i)
				ab, ld := acts.group(i)
				if fe > tb {
					j0, j1 := tb*S8TileN, fe*S8TileN
					if dq == nil {
						callS8(kn.id, &c[i*N+j0], N, ab, ld, &w.Data[j0*KP], KP, fe-tb, &w.RowSum[j0], mr)
					} else if kn.dq {
						pfd := prefetchDist(tb, te, t1, i-i0, kn, KP)
						callS8Dq(kn.id, &dq.Y[i*N+j0], N, ab, ld, &w.Data[j0*KP], KP, fe-tb, &w.RowSum[j0], mr, &dq.A[i], &dq.W[j0], pfd)
					} else {
						const ldb = s8DequantLd
						callS8(kn.id, &blk[0], ldb, ab, ld, &w.Data[j0*KP], KP, fe-tb, &w.RowSum[j0], mr)
						for r := 0; r < mr; r++ {
							DequantS8(dq.Y[(i+r)*N+j0:(i+r)*N+j1], blk[r*ldb:r*ldb+j1-j0], dq.A[i+r], dq.W[j0:j1])
						}
					}
				}
				if te > full {
					// The last tile has padded rows: compute it into scratch.
					t := full
					copy(rs[:], w.RowSum[t*S8TileN:])
					callS8(kn.id, &scratch[0], S8TileN, ab, ld, &w.Data[t*S8TileN*KP], KP, 1, &rs[0], mr)
					j0, nv := t*S8TileN, N-t*S8TileN
					for r := 0; r < mr; r++ {
						if dq == nil {
							copy(c[(i+r)*N+j0:(i+r)*N+N], scratch[r*S8TileN:r*S8TileN+nv])
						} else {
							DequantS8(dq.Y[(i+r)*N+j0:(i+r)*N+N], scratch[r*S8TileN:r*S8TileN+nv], dq.A[i+r], dq.W[j0:N])
						}
					}
				}
			}
		}
	}
}

// prefetchDist is the kernel's prefetch distance (callS8Dq) for the row
// group at row offset r of a row block, in the weight block of tiles
// [tb, te) of a product over tiles up to t1: the next block, at the tile
// of each 4-tile register block that r/mrMax picks, so that four row groups
// pull in all of it while the block in L2 is multiplied; 0 in the last
// block, which has no next.
func prefetchDist(tb, te, t1, r int, kn *s8Kernel, kp int) int {
	if te >= t1 {
		return 0
	}
	g := r / kn.mrMax % kn.tiles
	return (te - tb + g) * S8TileN * kp
}

func convertActRow(act int, dst []byte, src []int8) {
	switch act {
	case actU8:
		// x+128 as a byte is x with its top bit flipped; 32 bytes at a
		// time in asm, else 8 (this pass runs once per GemmS8 call, over
		// all of A: 3% of an HRM segment when it was 8 at a time).
		j := 0
		if n32 := len(src) &^ 31; n32 > 0 && haveFlipSign {
			flipSign(&dst[0], &src[0], n32)
			j = n32
		}
		for ; j+8 <= len(src); j += 8 {
			v := binary.LittleEndian.Uint64(unsafe.Slice((*byte)(unsafe.Pointer(&src[j])), 8))
			binary.LittleEndian.PutUint64(dst[j:j+8], v^0x8080808080808080)
		}
		for ; j < len(src); j++ {
			dst[j] = byte(src[j]) ^ 0x80
		}
		for j := len(src); j < len(dst); j++ {
			dst[j] = 0x80
		}
	case actSM:
		kp := (len(dst) - 64) / 2
		j, corr := 0, int32(0)
		if n32 := len(src) &^ 31; n32 > 0 && haveCvtSignMag {
			corr = cvtSignMag(&dst[0], &src[0], n32)
			j = n32
		}
		clear(dst[2*j:])
		for ; j < len(src); j++ {
			x := int32(src[j])
			g := 2*(j&^3) + j&3
			if x < 0 {
				dst[g], dst[g+4] = byte(-x), 0xFF
				corr -= x
			} else {
				dst[g] = byte(x)
			}
		}
		binary.LittleEndian.PutUint32(dst[2*kp:], uint32(corr))
	case actS8:
		if len(src) > 0 {
			copy(dst, unsafe.Slice((*byte)(unsafe.Pointer(&src[0])), len(src)))
		}
		clear(dst[len(src):])
	}
}

// gemmS8Generic is the reference: plain Go over the packed layout.
func gemmS8Generic(c []int32, dq *S8Dequant, a []int8, m int, w *PackedS8, t0, t1 int) {
	K, N := w.K, w.N
	for t := t0; t < t1; t++ {
		nv := min(S8TileN, N-t*S8TileN)
		for i := 0; i < m; i++ {
			var acc [S8TileN]int32
			tileDot(&acc, a[i*K:i*K+K], w, t)
			j0 := t * S8TileN
			if dq == nil {
				copy(c[i*N+j0:i*N+j0+nv], acc[:nv])
			} else {
				DequantS8(dq.Y[i*N+j0:i*N+j0+nv], acc[:nv], dq.A[i], dq.W[j0:j0+nv])
			}
		}
	}
}

// tileDot sets acc to the 16 column sums of tile t of w against one
// activation row of K values.
func tileDot(acc *[S8TileN]int32, row []int8, w *PackedS8, t int) {
	K, KP := w.K, w.KP
	kfull := K / 4
	tile := w.Data[t*S8TileN*KP : (t+1)*S8TileN*KP]
	*acc = [S8TileN]int32{}
	for g := 0; g < kfull; g++ {
		q := (*[4]int8)(row[4*g : 4*g+4])
		dotGroup(acc, (*[64]int8)(tile[g*64:g*64+64]), int32(q[0]), int32(q[1]), int32(q[2]), int32(q[3]))
	}
	if K%4 != 0 {
		var q [4]int32
		for j := 0; j < K%4; j++ {
			q[j] = int32(row[4*kfull+j])
		}
		dotGroup(acc, (*[64]int8)(tile[kfull*64:kfull*64+64]), q[0], q[1], q[2], q[3])
	}
}

// dotGroup adds one k-group of a tile to the 16 column sums. Written out
// with constant indices: no bounds checks, and the generic path is the one
// 32-bit ARM runs.
func dotGroup(acc *[S8TileN]int32, wg *[64]int8, a0, a1, a2, a3 int32) {
	acc[0] += a0*int32(wg[0]) + a1*int32(wg[1]) + a2*int32(wg[2]) + a3*int32(wg[3])
	acc[1] += a0*int32(wg[4]) + a1*int32(wg[5]) + a2*int32(wg[6]) + a3*int32(wg[7])
	acc[2] += a0*int32(wg[8]) + a1*int32(wg[9]) + a2*int32(wg[10]) + a3*int32(wg[11])
	acc[3] += a0*int32(wg[12]) + a1*int32(wg[13]) + a2*int32(wg[14]) + a3*int32(wg[15])
	acc[4] += a0*int32(wg[16]) + a1*int32(wg[17]) + a2*int32(wg[18]) + a3*int32(wg[19])
	acc[5] += a0*int32(wg[20]) + a1*int32(wg[21]) + a2*int32(wg[22]) + a3*int32(wg[23])
	acc[6] += a0*int32(wg[24]) + a1*int32(wg[25]) + a2*int32(wg[26]) + a3*int32(wg[27])
	acc[7] += a0*int32(wg[28]) + a1*int32(wg[29]) + a2*int32(wg[30]) + a3*int32(wg[31])
	acc[8] += a0*int32(wg[32]) + a1*int32(wg[33]) + a2*int32(wg[34]) + a3*int32(wg[35])
	acc[9] += a0*int32(wg[36]) + a1*int32(wg[37]) + a2*int32(wg[38]) + a3*int32(wg[39])
	acc[10] += a0*int32(wg[40]) + a1*int32(wg[41]) + a2*int32(wg[42]) + a3*int32(wg[43])
	acc[11] += a0*int32(wg[44]) + a1*int32(wg[45]) + a2*int32(wg[46]) + a3*int32(wg[47])
	acc[12] += a0*int32(wg[48]) + a1*int32(wg[49]) + a2*int32(wg[50]) + a3*int32(wg[51])
	acc[13] += a0*int32(wg[52]) + a1*int32(wg[53]) + a2*int32(wg[54]) + a3*int32(wg[55])
	acc[14] += a0*int32(wg[56]) + a1*int32(wg[57]) + a2*int32(wg[58]) + a3*int32(wg[59])
	acc[15] += a0*int32(wg[60]) + a1*int32(wg[61]) + a2*int32(wg[62]) + a3*int32(wg[63])
}

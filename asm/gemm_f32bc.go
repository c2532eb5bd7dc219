package asm

// The broadcast form of the float32 GEMM, for A·B, Aᵀ·B and A·Wᵀ at small
// k: a micro-kernel keeps a tile of C rows in registers as whole vectors
// and, per k step, broadcasts one A element per row into the row's vectors
// of B, as BLAS kernels do. Both operands are read in place in either
// layout, so the gradients of a linear layer (dX = dY·W, dW = dYᵀ·X) need
// no transposed copies of their large operands. B is packed only where
// that is cheap (the weight of A·B, Wᵀ of A·Wᵀ) or where the tier needs
// padding, and A only when its rows are 4 KB apart.

// f32BcMR is the tile height of every tier's broadcast kernel.
const f32BcMR = 6

// f32BcKernel is one asm tier of the broadcast form. Its kernel (callF32Bc
// with id) computes nt >= 1 tiles of f32BcMR rows (mr <= f32BcMR in the
// last) by nc <= nr columns, tile t:
//
//	c[(6t+i)*ldc + j] (+)= Σ_{p<k} a[t*ta + i*rsa + p*csa] · b[p*ldb + j]
//
// reading A only at the rows it owns (rows past mr in the last tile alias
// its row 0 and are not stored) and B only at j < nc. A masked kernel
// takes any nc; otherwise nc must equal nr and the driver pads.
type f32BcKernel struct {
	nr     int
	masked bool
	id     int
}

// Cache blocking: each kernel call covers at most bcKC steps of k, so a
// panel of B (bcKC·nr floats, 96 KB at nr = 64) streams from L2 while a
// block of A of about bcABlock floats (192 KB) stays there and is reused
// by every panel of B. (On Zen 4, kc from 128 to 384 measured alike; 768
// and above lost up to a third on the Aᵀ·B shapes.)
const (
	bcKC     = 384
	bcABlock = 48 << 10
)

// How gemmF32BcRun reads B.
const (
	bInPlace  = iota // B(p,j) = b[p*ldb + j], read by the kernel
	bPackRows        // the same B, copied into panels first
	bPackCols        // B(p,j) = b[j*ldb + p] (the W of A·Wᵀ), transposed into panels
)

// gemmF32BcRun computes C (+)= A·B for C [m,n] with rows ldc apart and
// A(i,p) = a[i*rsa + p*csa]; bMode says how B is laid out in b and whether
// it is packed, per k block, into zero-padded panels of nr columns (tiers
// without masks always get panels). With packA (only for rsa = 1: A(i,p)
// = a[i + p*csa]), each block of A is first copied into a dense [kc][mb]
// block, for a csa that maps every k step onto the same few cache sets.
func gemmF32BcRun(kn *f32BcKernel, c []float32, ldc int, a []float32, rsa, csa int, b []float32, ldb, bMode int, m, n, k int, acc, packA bool) {
	nr := kn.nr
	if bMode == bInPlace && !kn.masked {
		bMode = bPackRows
	}
	np := (n + nr - 1) / nr // panels
	kc := min(k, bcKC)
	// Rows per block: the block of A (mb·kc floats) stays in L2 while
	// every panel of B passes over it.
	mb := max(1, bcABlock/kc/f32BcMR) * f32BcMR
	var bp, ap *[]float32
	if bMode != bInPlace {
		bp = getF32(np * nr * kc)
	}
	if packA {
		ap = getF32(min(mb, m+f32BcMR) * kc)
	}
	var tile [f32BcMR * 64]float32 // C tile of a padded panel (unmasked tiers)
	for p0 := 0; p0 < k; p0 += kc {
		kk := min(kc, k-p0)
		ac := b2i(acc || p0 > 0)
		switch bMode {
		case bPackRows:
			packRowsF32(*bp, b[p0*ldb:], ldb, kk, n, nr)
		case bPackCols:
			packColsF32(*bp, b[p0:], ldb, kk, n, nr)
		}
		for i0 := 0; i0 < m; i0 += mb {
			i1 := min(i0+mb, m)
			// Tile t of the block starts at as[oa + t*ta]: A in place, or
			// the packed block with k stride i1−i0.
			as, oa, ra, ca, ta := a, i0*rsa+p0*csa, rsa, csa, f32BcMR*rsa
			if packA {
				w := i1 - i0
				for p := 0; p < kk; p++ {
					copy((*ap)[p*w:(p+1)*w], a[oa+p*csa:oa+p*csa+w])
				}
				as, oa, ca = *ap, 0, w
			}
			for q := 0; q < np; q++ {
				j0 := q * nr
				nc := min(nr, n-j0)
				var pb *float32
				lb := nr
				if bMode == bInPlace {
					pb, lb = &b[p0*ldb+j0], ldb
				} else {
					pb = &(*bp)[q*kk*nr]
				}
				if nc == nr || kn.masked {
					nt := (i1 - i0 + f32BcMR - 1) / f32BcMR
					callF32Bc(kn.id, &c[i0*ldc+j0], ldc, &as[oa], ra, ca, pb, lb, kk, nc, i1-i0-(nt-1)*f32BcMR, ac, nt, ta)
					continue
				}
				for t, i := 0, i0; i < i1; t, i = t+1, i+f32BcMR {
					mr := min(f32BcMR, i1-i)
					// Padded panel: the whole width into the scratch tile,
					// then the nc real columns into C.
					callF32Bc(kn.id, &tile[0], nr, &as[oa+t*ta], ra, ca, pb, lb, kk, nr, mr, 0, 1, 0)
					for r := 0; r < mr; r++ {
						dst, src := c[(i+r)*ldc+j0:(i+r)*ldc+j0+nc], tile[r*nr:r*nr+nc]
						if ac != 0 {
							for j, v := range src {
								dst[j] += v
							}
						} else {
							copy(dst, src)
						}
					}
				}
			}
		}
	}
	if bp != nil {
		putF32(bp)
	}
	if ap != nil {
		putF32(ap)
	}
}

// packRowsF32 copies rows p < k of B (b[p*ldb + j], j < n) into panels of
// nr columns, panel q at dst[q*k*nr:], row p of it at p*nr, zero-padded
// past column n.
func packRowsF32(dst, b []float32, ldb, k, n, nr int) {
	for q := 0; q*nr < n; q++ {
		j0 := q * nr
		nc := min(nr, n-j0)
		pan := dst[q*k*nr : (q+1)*k*nr]
		for p := 0; p < k; p++ {
			row := pan[p*nr : (p+1)*nr]
			copy(row, b[p*ldb+j0:p*ldb+j0+nc])
			clear(row[nc:])
		}
	}
}

// packColsF32 is packRowsF32 for B(p,j) = w[j*ldw + p] (the W of A·Wᵀ):
// panel q, row p holds w[(j0+j)*ldw + p] for j < nr, zero past n.
func packColsF32(dst, w []float32, ldw, k, n, nr int) {
	// Blocks of 16 k steps: the panel rows being written (16·nr floats)
	// stay in L1 while every row of W contributes one cache line to them;
	// a whole column pass per W row was 4–8× slower (write-allocate
	// traffic over a panel larger than L1).
	const pb = 16
	for q := 0; q*nr < n; q++ {
		j0 := q * nr
		nc := min(nr, n-j0)
		pan := dst[q*k*nr : (q+1)*k*nr]
		for p0 := 0; p0 < k; p0 += pb {
			p1 := min(p0+pb, k)
			j := 0
			for ; j+4 <= nc; j += 4 {
				w0 := w[(j0+j)*ldw+p0 : (j0+j)*ldw+p1]
				w1 := w[(j0+j+1)*ldw+p0 : (j0+j+1)*ldw+p1]
				w2 := w[(j0+j+2)*ldw+p0 : (j0+j+2)*ldw+p1]
				w3 := w[(j0+j+3)*ldw+p0 : (j0+j+3)*ldw+p1]
				w1, w2, w3 = w1[:len(w0)], w2[:len(w0)], w3[:len(w0)]
				for p := range w0 {
					d := pan[(p0+p)*nr+j : (p0+p)*nr+j+4]
					d[0], d[1], d[2], d[3] = w0[p], w1[p], w2[p], w3[p]
				}
			}
			for ; j < nc; j++ {
				wj := w[(j0+j)*ldw+p0 : (j0+j)*ldw+p1]
				for p, v := range wj {
					pan[(p0+p)*nr+j] = v
				}
			}
			if nc < nr {
				for p := p0; p < p1; p++ {
					clear(pan[p*nr+nc : (p+1)*nr])
				}
			}
		}
	}
}

// bcCost is the number of tile-vectors (f32BcMR rows by 16 columns, padding
// included) a product of rows × cols costs on the broadcast kernels.
func bcCost(rows, cols int) int {
	return (rows + f32BcMR - 1) / f32BcMR * ((cols + 15) / 16)
}

// gemmF32NNBc: C (+)= A·B, A [m,k], B [k,n], B packed (k·n copies against
// m·n·k multiply-adds).
func gemmF32NNBc(kn *f32BcKernel, c, a, b []float32, m, n, k int, acc bool) {
	gemmF32BcRun(kn, c, n, a, k, 1, b, n, bPackRows, m, n, k, acc, false)
}

// gemmF32TNBc: C (+)= Aᵀ·B, A [k,m], B [k,n], read in place. The vector
// side of the tile is n; when m fits the tile shape clearly better (say
// n = 97 against m = 1024) it computes Cᵀ = Bᵀ·A into scratch and adds its
// transpose (m·n moves against m·n·k multiply-adds).
func gemmF32TNBc(kn *f32BcKernel, c, a, b []float32, m, n, k int, acc bool) {
	if 10*bcCost(n, m) >= 9*bcCost(m, n) {
		gemmF32BcRun(kn, c, n, a, 1, m, b, n, tnBMode(n), m, n, k, acc, tnPackA(m))
		return
	}
	st := getF32(n * m)
	s := *st
	gemmF32BcRun(kn, s, m, b, 1, n, a, m, tnBMode(m), n, m, k, false, tnPackA(n))
	addTransposed(c, s, m, n, acc)
	putF32(st)
}

// In Aᵀ·B both operands step through k by whole rows. When a row is a
// multiple of 4 KB, successive k steps fall into the same few L2 sets and a
// block no longer stays cached: such operands are packed first (on Zen 4,
// m = 1024: 80 → 90 GFLOP/s for the broadcast side, a few percent for the
// vector side; at other strides packing only cost time, 5–10 %).
func tnPackA(lda int) bool { return lda%1024 == 0 }

func tnBMode(ldb int) int {
	if ldb%1024 == 0 {
		return bPackRows
	}
	return bInPlace
}

// addTransposed sets or adds c [m,n] = sᵀ with s [n,m].
func addTransposed(c, s []float32, m, n int, acc bool) {
	const bs = 32
	for j0 := 0; j0 < n; j0 += bs {
		j1 := min(j0+bs, n)
		for i0 := 0; i0 < m; i0 += bs {
			i1 := min(i0+bs, m)
			for i := i0; i < i1; i++ {
				ci := c[i*n : i*n+n]
				if acc {
					for j := j0; j < j1; j++ {
						ci[j] += s[j*m+i]
					}
				} else {
					for j := j0; j < j1; j++ {
						ci[j] = s[j*m+i]
					}
				}
			}
		}
	}
}

// gemmF32NTBc: C (+)= A·Wᵀ, A [m,k], W [n,k], with Wᵀ packed per k block
// (n·k moves against m·n·k multiply-adds).
func gemmF32NTBc(kn *f32BcKernel, c, a, w []float32, m, n, k int, acc bool) {
	gemmF32BcRun(kn, c, n, a, k, 1, w, k, bPackCols, m, n, k, acc, false)
}

// bcMaxKNT is the largest k at which A·Wᵀ runs on the broadcast kernels,
// which need Wᵀ packed first (n·k moves, paid back over the m rows). The
// dot-product kernels reduce horizontally after their k loop, which costs
// most at small k: on Zen 4 the broadcast form measured 89 against 76
// GFLOP/s at m = 82, k = 64 and 96–111 against 72–91 at the trainer's
// k = 64–128, but 10–15 % less at m = 82 for k ≥ 256. The choice depends
// on k alone, never on m, so that splitting rows across threads leaves
// every row's result unchanged.
const bcMaxKNT = 128

//go:build !purego && !noasm

#include "textflag.h"

// func addChain(n int)
// 16·n dependent ADDs, one per cycle on every Cortex-A core: a clock meter
// without PMU access (which Linux does not grant user space by default).
TEXT ·addChain(SB), NOSPLIT, $0-8
	MOVD n+0(FP), R1
	MOVD $0, R0
loop:
	ADD $1, R0, R0; ADD $1, R0, R0; ADD $1, R0, R0; ADD $1, R0, R0
	ADD $1, R0, R0; ADD $1, R0, R0; ADD $1, R0, R0; ADD $1, R0, R0
	ADD $1, R0, R0; ADD $1, R0, R0; ADD $1, R0, R0; ADD $1, R0, R0
	ADD $1, R0, R0; ADD $1, R0, R0; ADD $1, R0, R0; ADD $1, R0, R0
	SUBS $1, R1, R1
	BNE  loop
	RET

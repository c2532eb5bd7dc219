//go:build !purego && !noasm

#include "textflag.h"

// func addChain(n int)
// 16·n dependent ADDs: one per cycle on every x86 core since the P6, which
// makes the loop a clock meter that needs no privileged counters.
TEXT ·addChain(SB), NOSPLIT, $0-8
	MOVQ n+0(FP), CX
	XORQ AX, AX
loop:
	ADDQ $1, AX; ADDQ $1, AX; ADDQ $1, AX; ADDQ $1, AX
	ADDQ $1, AX; ADDQ $1, AX; ADDQ $1, AX; ADDQ $1, AX
	ADDQ $1, AX; ADDQ $1, AX; ADDQ $1, AX; ADDQ $1, AX
	ADDQ $1, AX; ADDQ $1, AX; ADDQ $1, AX; ADDQ $1, AX
	DECQ CX
	JNZ  loop
	RET

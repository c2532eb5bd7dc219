// The start of both fused attention kernels (attnAvx512 in
// attention_amd64.s, attnAvx2 in attention_exp_amd64.s), which share the
// contract of attnKernel: query rows 0..3 in R9..R12 (rows at or past mr
// alias row 0, so the kernels always compute 4 and store mr), kt in SI,
// the kt and score-row stride tp·4 in BX and 3 of it in DX, work in R15,
// score row 0 (work[16]) in DI.
#define ATTN_PROLOGUE \
	MOVQ q+16(FP), R9; \
	MOVQ ldq+24(FP), BX; \
	SHLQ $2, BX; \
	MOVQ mr+72(FP), CX; \
	MOVQ R9, R10; \
	LEAQ (R9)(BX*1), AX; \
	CMPQ CX, $2; \
	CMOVQGE AX, R10; \
	MOVQ R9, R11; \
	LEAQ (R9)(BX*2), AX; \
	CMPQ CX, $3; \
	CMOVQGE AX, R11; \
	MOVQ R9, R12; \
	LEAQ (R10)(BX*2), AX; \
	CMPQ CX, $4; \
	CMOVQGE AX, R12; \
	MOVQ kt+32(FP), SI; \
	MOVQ tp+40(FP), BX; \
	SHLQ $2, BX; \
	MOVQ work+80(FP), R15; \
	LEAQ 64(R15), DI; \
	LEAQ (BX)(BX*2), DX

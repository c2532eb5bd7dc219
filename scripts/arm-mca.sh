#!/usr/bin/env bash
# Estimates the cycles per iteration of the arm64 int8 GEMM inner loops
# (gemmS8Neon: Raspberry Pi 4's Cortex-A72; gemmS8DotProd: Pi 5's
# Cortex-A76) with llvm-mca, without ARM hardware:
#
#   1. cross-compiles the asm test binary for GOARCH=arm64,
#   2. disassembles each kernel with aarch64-linux-gnu-objdump and cuts out
#      its k loop (from the target of the loop's backward b.ne to the b.ne),
#   3. runs llvm-mca on it for each CPU model and prints cycles per
#      iteration and MACs/cycle against the core's int8 limit.
#
# LLVM's scheduling models: cortex-a72 and cortex-a76 both use the
# Cortex-A57 model (there is no A72 or A76 model, up to LLVM 19 at least);
# neoverse-n1 has its own model, and the N1 is a derivative of the A76 core,
# so it is the closer estimate for the Pi 5.
#
# Needs: go, aarch64-linux-gnu-objdump (binutils-aarch64-linux-gnu) and
# llvm-mca (package llvm, or llvm-19, whose newer models are used when
# present). Usage: scripts/arm-mca.sh [-v]   (-v prints the extracted loops)
set -euo pipefail
cd "$(dirname "$0")/.."

MCA=$(command -v llvm-mca-19 || command -v llvm-mca || true)
OBJDUMP=$(command -v aarch64-linux-gnu-objdump || true)
if [ -z "$MCA" ] || [ -z "$OBJDUMP" ]; then
	echo "needs llvm-mca and aarch64-linux-gnu-objdump: apt-get install llvm-19 binutils-aarch64-linux-gnu" >&2
	exit 1
fi
verbose=${1:-}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
GOARCH=arm64 CGO_ENABLED=0 ${GO:-go} test -c -o "$tmp/asm.arm64" ./asm/
"$OBJDUMP" -d --no-show-raw-insn "$tmp/asm.arm64" >"$tmp/dis"

# loop SYMBOL OUT: writes the k loop of SYMBOL as llvm-mc input.
loop() {
	awk -v sym="<github.com/hrmgo/hrm/asm.$1.abi0>:" '
		$0 ~ sym { on = 1; next }
		on && /^$/ { exit }
		on { sub(/^ +/, ""); split($0, f, "\t"); addr[n] = f[1]; sub(/:$/, "", addr[n]); ins[n] = f[2] "\t" f[3]; n++ }
		function pad(h) { return sprintf("%16s", h) }
		END {
			# the k loop ends at the first b.ne that jumps backwards
			for (i = 0; i < n; i++) if (ins[i] ~ /^b\.ne/) {
				split(ins[i], b, /[\t ]+/); t = b[2]
				if (pad(t) < pad(addr[i])) { end = i; target = t; break }
			}
			for (i = 0; i < n; i++) if (addr[i] == target) start = i
			print "kloop:"
			for (i = start; i < end; i++) { s = ins[i]; gsub(/-v/, " - v", s); print "\t" s }
			print "\tb.ne\tkloop"
		}' "$tmp/dis" >"$2"
}

# report NAME FILE MACS_PER_ITER LIMIT CPU MATTR
report() {
	local out cyc
	out=$("$MCA" -march=aarch64 -mcpu="$5" ${6:+-mattr=$6} -iterations=1000 "$2" 2>&1)
	cyc=$(awk '/^Total Cycles:/ { print $3 / 1000 }' <<<"$out")
	awk -v n="$1" -v c="$5" -v cyc="$cyc" -v m="$3" -v lim="$4" -v rt="$(awk '/Block RThroughput/ { print $3 }' <<<"$out")" \
		'BEGIN { printf "%-8s %-12s %8.1f %8.1f %6d %8.2f %6.0f %6.0f%%\n", n, c, cyc, rt, m, m / cyc, lim, 100 * m / cyc / lim }'
	if [ "$verbose" = -v ]; then sed -n '/Resource pressure per iteration/,/^$/p' <<<"$out"; fi
}

loop gemmS8Neon "$tmp/neon.s"
loop gemmS8DotProd "$tmp/dotprod.s"
if [ "$verbose" = -v ]; then
	for f in neon dotprod; do echo "== $f"; cat "$tmp/$f.s"; done
fi
echo "llvm-mca: $("$MCA" --version | awk '/LLVM version/ { print $NF }')"
printf '%-8s %-12s %8s %8s %6s %8s %6s %7s\n' kernel model cyc/iter rthru MACs MAC/cyc limit "%limit"
# Limits (MACs/cycle): A72 8 (SMULL/SMLAL: 8 int16 lanes per cycle, one
# pipe); A76/N1 32 (SDOT: 16 MACs, 2 per cycle).
report neon "$tmp/neon.s" "$(grep -c 'smull\|smlal' "$tmp/neon.s" | awk '{ print $1 * 8 }')" 8 cortex-a72
report neon "$tmp/neon.s" "$(grep -c 'smull\|smlal' "$tmp/neon.s" | awk '{ print $1 * 8 }')" 8 neoverse-n1
report dotprod "$tmp/dotprod.s" "$(grep -c sdot "$tmp/dotprod.s" | awk '{ print $1 * 16 }')" 32 cortex-a76 +dotprod
report dotprod "$tmp/dotprod.s" "$(grep -c sdot "$tmp/dotprod.s" | awk '{ print $1 * 16 }')" 32 neoverse-n1 +dotprod

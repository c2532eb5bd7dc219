#!/bin/bash
# Side-by-side speed of hrm-bench against the PyTorch baselines of
# ../shared/bench (float32 and quantize_dynamic int8) on the same full-size
# random HRM, interleaved round by round so that machine drift hits every
# engine alike. PyTorch is a measuring stick here, never a dependency.
#
#   scripts/side-by-side.sh BENCH_DIR [ROUNDS] [OUT_TSV]
#
# Each round runs every engine at 1 and 2 threads, batch 1 and 16 (ms per
# ACT segment; divide by the batch for a sequence). PyTorch runs every
# variant its README lists (engines onednn and qnnpack for int8, the
# passive OpenMP wait policy at 2 threads), and the table quotes its best.
# PyTorch also runs capped at AVX2 ("torchavx2": oneDNN's ISA limit,
# ATen's CPU capability and OpenBLAS's core type), the like-for-like
# yardstick of our HRM_KERNELS=avx2 tier: what PyTorch does on a CPU
# without AVX-512, where its int8 has no VNNI either.
# Needs Debian's python3-torch, python3-numpy and libopenblas0-pthread.
set -euo pipefail
bench=${1:?usage: side-by-side.sh BENCH_DIR [ROUNDS] [OUT_TSV]}
rounds=${2:-5}
out=${3:-side-by-side.tsv}
here=$(cd "$(dirname "$0")/.." && pwd)
hb=$here/bin/hrm-bench
py=/usr/bin/python3
[ -x "$hb" ] || { echo "side-by-side: build first (make build)" >&2; exit 2; }
[ -f "$bench/bench_torch.py" ] || { echo "side-by-side: $bench/bench_torch.py not found" >&2; exit 2; }
$py -c 'import torch' 2>/dev/null || { echo "side-by-side: $py has no torch (apt-get install python3-torch)" >&2; exit 2; }

reps=10
avx2="ONEDNN_MAX_CPU_ISA=AVX2 ATEN_CPU_CAPABILITY=avx2 OPENBLAS_CORETYPE=Haswell"
printf 'round\tengine\tthreads\tbatch\tms_per_segment\n' >"$out"
row() { printf '%s\t%s\t%s\t%s\t%s\n' "$@" >>"$out"; }
ours() { # tier quant threads batch
	local env=()
	[ "$1" != default ] && env=(HRM_KERNELS="$1")
	env "${env[@]}" "$hb" model -random -quant "$2" -threads "$3" -batch "$4" -reps $reps -json |
		$py -c 'import json,sys; print(json.loads(sys.stdin.readline())["segment_ms_median"])'
}
torch() { # script threads batch extra-env... -- args...
	local s=$1 t=$2 b=$3
	shift 3
	local env=(OMP_NUM_THREADS=$t OPENBLAS_NUM_THREADS=$t MKL_NUM_THREADS=$t)
	while [ $# -gt 0 ] && [ "$1" != -- ]; do env+=("$1"); shift; done
	[ $# -gt 0 ] && shift
	(cd "$bench" && env "${env[@]}" $py "$s" --threads "$t" --batch "$b" --runs $reps --warmup 3 "$@") |
		tail -1 | $py -c 'import json,sys; print(json.loads(sys.stdin.readline())["segment_ms_median"])'
}
for r in $(seq 1 "$rounds"); do
	for t in 1 2; do
		for b in 1 16; do
			row "$r" "ours int8" $t $b "$(ours default int8 $t $b)"
			row "$r" "torch f32" $t $b "$(torch bench_torch.py $t $b -- --worker --full-runs 0)"
			row "$r" "ours f32" $t $b "$(ours default f32 $t $b)"
			row "$r" "torch int8 onednn" $t $b "$(torch torch_int8.py $t $b -- --engine onednn)"
			row "$r" "ours int8 avx2" $t $b "$(ours avx2 int8 $t $b)"
			row "$r" "torch int8 qnnpack" $t $b "$(torch torch_int8.py $t $b -- --engine qnnpack)"
			row "$r" "ours f32 avx2" $t $b "$(ours avx2 f32 $t $b)"
			row "$r" "torchavx2 int8 onednn" $t $b "$(torch torch_int8.py $t $b $avx2 -- --engine onednn)"
			row "$r" "torchavx2 f32" $t $b "$(torch bench_torch.py $t $b $avx2 -- --worker --full-runs 0)"
			if [ $t = 2 ]; then
				row "$r" "torch f32 passive" $t $b "$(torch bench_torch.py $t $b OMP_WAIT_POLICY=PASSIVE -- --worker --full-runs 0)"
				row "$r" "torch int8 onednn passive" $t $b "$(torch torch_int8.py $t $b OMP_WAIT_POLICY=PASSIVE -- --engine onednn)"
				row "$r" "torchavx2 f32 passive" $t $b "$(torch bench_torch.py $t $b $avx2 OMP_WAIT_POLICY=PASSIVE -- --worker --full-runs 0)"
				row "$r" "torchavx2 int8 onednn passive" $t $b "$(torch torch_int8.py $t $b $avx2 OMP_WAIT_POLICY=PASSIVE -- --engine onednn)"
			fi
		done
	done
	echo "side-by-side: round $r of $rounds done" >&2
done
# Medians over rounds, PyTorch's best variant, and our speed-ups.
$py - "$out" <<'EOF'
import csv, statistics, sys
rows = list(csv.DictReader(open(sys.argv[1]), delimiter="\t"))
med = {}
for k in {(r["engine"], r["threads"], r["batch"]) for r in rows}:
    med[k] = statistics.median(float(r["ms_per_segment"]) for r in rows if (r["engine"], r["threads"], r["batch"]) == k)
cfgs = [("1", "1"), ("2", "1"), ("1", "16"), ("2", "16")]
def best(prefix, t, b):
    c = [(v, e) for (e, tt, bb), v in med.items() if e.startswith(prefix) and tt == t and bb == b]
    return min(c) if c else (float("nan"), "-")
print("ms per segment (per sequence at batch 16), medians of %d rounds" % len({r["round"] for r in rows}))
print("| | " + " | ".join("%s thr, b%s" % c for c in cfgs) + " |")
print("|---|" + "---|" * len(cfgs))
for e in ["ours int8", "ours int8 avx2", "ours f32", "ours f32 avx2"]:
    print("| %s | " % e + " | ".join("%.1f" % (med[(e, t, b)] / int(b)) for t, b in cfgs) + " |")
for p in ["torch f32", "torch int8", "torchavx2 f32", "torchavx2 int8"]:
    print("| %s (best) | " % p + " | ".join("%.1f (%s)" % (best(p, t, b)[0] / int(b), best(p, t, b)[1][len(p):].strip() or "default") for t, b in cfgs) + " |")
for ours, theirs in [("ours int8", "torch int8"), ("ours int8", "torch f32"), ("ours int8 avx2", "torch int8"), ("ours int8 avx2", "torch f32"),
                     ("ours int8 avx2", "torchavx2 int8"), ("ours int8 avx2", "torchavx2 f32")]:
    print("| %s vs %s | " % (ours, theirs) + " | ".join("%.2f×" % (best(theirs, t, b)[0] / med[(ours, t, b)]) for t, b in cfgs) + " |")
for e in ["ours int8", "ours int8 avx2", "ours f32"]:
    b1, b16 = med[(e, "1", "1")], med[(e, "1", "16")] / 16
    print("%s: batch 16 per sequence / batch 1 = %.2f (1 thread); 2 threads / 1 thread speed-up %.2f× (b1), %.2f× (b16)" % (
        e, b16 / b1, b1 / med[(e, "2", "1")], med[(e, "1", "16")] / med[(e, "2", "16")]))
EOF

#!/usr/bin/env bash
# Runs the asm/ kernel tests in every configuration this x86 machine can
# reach, and checks in each one that the expected tier was selected (via
# HRM_EXPECT_TIERS, see TestExpectedTiers), so a PASS proves that tier ran:
#
#   native          the host's best tiers
#   purego, noasm   build tags that remove every .s file: generic only
#   x86 Nehalem     qemu-x86_64 without AVX: generic
#   x86 Haswell     qemu-x86_64 with AVX2+FMA: the avx2 tiers
#   arm64 A72       qemu-aarch64 cortex-a72, ASIMD without dotprod: neon
#   arm64 A76       qemu-aarch64 cortex-a76, with dotprod: dotprod (gemms8),
#                   neon (the other families)
#   arm GOARM=7     qemu-arm: generic (32-bit Raspberry Pi OS)
#
# Test binaries are built once per GOARCH with `go test -c` and run with
# -test.short under qemu. Missing qemu binaries are reported as SKIP and do
# not fail the run. Exit status: 0 if nothing failed, 1 otherwise. With
# KERNEL_MATRIX_RESULTS=FILE the results also go to FILE, one line each:
# name TAB status TAB detail (for scripts/testsummary).
#
# Usage: scripts/kernel-matrix.sh [extra go test flags for the native run]
set -uo pipefail
cd "$(dirname "$0")/.."

GO=${GO:-go}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
results=()
failed=0

tsv=()
record() { # name status [detail]
	results+=("$(printf '%-22s %-5s %s' "$1" "$2" "${3:-}")")
	tsv+=("$(printf '%s\t%s\t%s' "$1" "$2" "${3:-}")")
	[ "$2" = FAIL ] && failed=1
	return 0
}

# run NAME EXPECT CMD...: runs CMD in asm/ with HRM_EXPECT_TIERS=EXPECT.
run() {
	local name=$1 expect=$2
	shift 2
	echo "=== $name: $*"
	if (cd asm && HRM_EXPECT_TIERS=$expect HRM_KERNELS= "$@") >"$tmp/log" 2>&1; then
		record "$name" PASS "$expect"
		tail -n 3 "$tmp/log" | sed 's/^/    /'
	else
		record "$name" FAIL "$expect"
		tail -n 40 "$tmp/log" | sed 's/^/    /'
	fi
}

build() { # NAME OUT ENV...: cross-compiles the asm test binary
	local name=$1 out=$2
	shift 2
	if ! env "$@" "$GO" test -c -o "$out" ./asm/ >"$tmp/log" 2>&1; then
		record "$name" FAIL "build failed"
		sed 's/^/    /' "$tmp/log"
		return 1
	fi
}

have() { command -v "$1" >/dev/null 2>&1; }

generic="gemms8=generic,gemmf32=generic,attention=generic,vector=generic"

# Static checks first: vet for both assembly targets, and the 32-bit build.
for arch in amd64 arm64; do
	if GOARCH=$arch "$GO" vet ./asm/ >"$tmp/log" 2>&1; then record "vet $arch" PASS; else
		record "vet $arch" FAIL; sed 's/^/    /' "$tmp/log"; fi
done

run "native" "" "$GO" test -count=1 "$@" .
run "tags purego" "$generic" "$GO" test -count=1 -short -tags purego .
run "tags noasm" "$generic" "$GO" test -count=1 -short -tags noasm .

if [ "$(go env GOHOSTARCH)" = amd64 ] && have qemu-x86_64-static; then
	if build "x86 build" "$tmp/asm.amd64" GOARCH=amd64; then
		run "x86 Nehalem" "$generic" qemu-x86_64-static -cpu Nehalem "$tmp/asm.amd64" -test.short -test.count=1
		run "x86 Haswell" "gemms8=avx2,gemmf32=avx2,attention=avx2,vector=avx2" qemu-x86_64-static -cpu Haswell "$tmp/asm.amd64" -test.short -test.count=1
	fi
else
	record "x86 Nehalem" SKIP "qemu-x86_64-static not found (apt-get install qemu-user-static)"
	record "x86 Haswell" SKIP "qemu-x86_64-static not found"
fi

if have qemu-aarch64-static; then
	if build "arm64 build" "$tmp/asm.arm64" GOARCH=arm64; then
		run "arm64 cortex-a72" "gemms8=neon,gemmf32=neon,attention=neon,vector=neon" qemu-aarch64-static -cpu cortex-a72 "$tmp/asm.arm64" -test.short -test.count=1
		run "arm64 cortex-a76" "gemms8=dotprod,gemmf32=neon,attention=neon,vector=neon" qemu-aarch64-static -cpu cortex-a76 "$tmp/asm.arm64" -test.short -test.count=1
	fi
else
	record "arm64 cortex-a72" SKIP "qemu-aarch64-static not found (apt-get install qemu-user-static)"
	record "arm64 cortex-a76" SKIP "qemu-aarch64-static not found"
fi

if have qemu-arm-static; then
	if build "arm build" "$tmp/asm.arm" GOARCH=arm GOARM=7; then
		run "arm GOARM=7" "$generic" qemu-arm-static "$tmp/asm.arm" -test.short -test.count=1
	fi
else
	if GOARCH=arm GOARM=7 "$GO" build ./asm/ >"$tmp/log" 2>&1; then
		record "arm GOARM=7" SKIP "build only: qemu-arm-static not found"
	else
		record "arm GOARM=7" FAIL "build failed"
	fi
fi

echo
echo "kernel matrix:"
printf '  %s\n' "${results[@]}"
if [ -n "${KERNEL_MATRIX_RESULTS:-}" ]; then
	printf '%s\n' "${tsv[@]}" >"$KERNEL_MATRIX_RESULTS"
fi
exit $failed

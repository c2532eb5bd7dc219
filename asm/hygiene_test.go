package asm

import (
	"bytes"
	"encoding/binary"
	"encoding/hex"
	"go/build"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

// TestPureGoTag is the equivalent of the standard library's test of the
// same name: with -tags purego or -tags noasm no assembly may be selected,
// on any architecture we ship assembly for.
func TestPureGoTag(t *testing.T) {
	for _, goarch := range []string{"amd64", "arm64", "arm", "386"} {
		for _, tags := range [][]string{nil, {"purego"}, {"noasm"}} {
			ctx := build.Default
			ctx.GOARCH, ctx.GOOS, ctx.BuildTags, ctx.CgoEnabled = goarch, "linux", tags, false
			pkg, err := ctx.ImportDir(".", 0)
			if err != nil {
				t.Fatalf("GOARCH=%s tags=%v: %v", goarch, tags, err)
			}
			asmArch := goarch == "amd64" || goarch == "arm64"
			switch {
			case len(tags) > 0 && len(pkg.SFiles) > 0:
				t.Errorf("GOARCH=%s -tags %v still selects %v", goarch, tags, pkg.SFiles)
			case len(tags) == 0 && asmArch && len(pkg.SFiles) == 0:
				t.Errorf("GOARCH=%s selects no assembly at all", goarch)
			case !asmArch && len(pkg.SFiles) > 0:
				t.Errorf("GOARCH=%s selects %v", goarch, pkg.SFiles)
			}
		}
	}
}

// TestWordEncodings disassembles every arm64 WORD with
// aarch64-linux-gnu-objdump and compares it with the GNU syntax in its
// comment, which is what a reader of the assembly trusts.
func TestWordEncodings(t *testing.T) {
	objdump, err := exec.LookPath("aarch64-linux-gnu-objdump")
	if err != nil {
		t.Skip("aarch64-linux-gnu-objdump not installed (apt-get install binutils-aarch64-linux-gnu)")
	}
	re := regexp.MustCompile(`WORD \$0x([0-9a-fA-F]{8});?\s*(?:// (.*)|/\* (.*) \*/\s*\\)$`)
	var code bytes.Buffer
	var want, where []string
	files, _ := filepath.Glob("*_arm64.s")
	for _, f := range files {
		src, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for i, l := range strings.Split(string(src), "\n") {
			if !strings.Contains(l, "WORD") || strings.HasPrefix(strings.TrimSpace(l), "//") {
				continue
			}
			m := re.FindStringSubmatch(l)
			if m == nil {
				t.Errorf("%s:%d: WORD without an encoding and a GNU comment: %s", f, i+1, l)
				continue
			}
			v, _ := strconv.ParseUint(m[1], 16, 32)
			binary.Write(&code, binary.LittleEndian, uint32(v))
			want = append(want, m[2]+m[3])
			where = append(where, f+":"+strconv.Itoa(i+1))
		}
	}
	if len(want) == 0 {
		t.Fatal("no WORD lines found")
	}
	got := disassemble(t, objdump, code.Bytes(), "aarch64")
	for i := range want {
		g, ok := got[4*i]
		if !ok || normAsm(g) != normAsm(want[i]) {
			t.Errorf("%s: comment says %q, bytes are %q", where[i], want[i], g)
		}
	}
	t.Logf("%d WORDs verified", len(want))
}

// TestByteEncodings does the same for x86 BYTE sequences (the VEX form of
// VPDPBUSD) with the host objdump.
func TestByteEncodings(t *testing.T) {
	objdump, err := exec.LookPath("objdump")
	if err != nil {
		t.Skip("objdump not installed (binutils)")
	}
	re := regexp.MustCompile(`((?:BYTE \$0x[0-9a-fA-F]{2};?\s*)+)// (.*)$`)
	byteRe := regexp.MustCompile(`BYTE \$0x([0-9a-fA-F]{2})`)
	var code []byte
	var offs []int
	var want, where []string
	files, _ := filepath.Glob("*_amd64.s")
	for _, f := range files {
		src, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for i, l := range strings.Split(string(src), "\n") {
			if !strings.Contains(l, "BYTE $") {
				continue
			}
			m := re.FindStringSubmatch(l)
			if m == nil {
				t.Errorf("%s:%d: BYTE line without a GNU comment: %s", f, i+1, l)
				continue
			}
			offs = append(offs, len(code))
			for _, b := range byteRe.FindAllStringSubmatch(m[1], -1) {
				x, _ := hex.DecodeString(b[1])
				code = append(code, x...)
			}
			want = append(want, m[2])
			where = append(where, f+":"+strconv.Itoa(i+1))
		}
	}
	if len(want) == 0 {
		t.Fatal("no BYTE lines found")
	}
	got := disassemble(t, objdump, code, "i386:x86-64", "-M", "intel")
	for i := range want {
		g, ok := got[offs[i]]
		end := len(code)
		if i+1 < len(offs) {
			end = offs[i+1]
		}
		// Exactly one instruction per line: the next one starts at the next line.
		if _, next := got[end]; !ok || normAsm(g) != normAsm(want[i]) || (end < len(code) && !next) {
			t.Errorf("%s: comment says %q, bytes are %q", where[i], want[i], g)
		}
	}
	t.Logf("%d BYTE sequences verified", len(want))
}

// disassemble returns instruction text by byte offset.
func disassemble(t *testing.T, objdump string, code []byte, arch string, extra ...string) map[int]string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "code.bin")
	if err := os.WriteFile(bin, code, 0o644); err != nil {
		t.Fatal(err)
	}
	args := append([]string{"-D", "-b", "binary", "-m", arch}, extra...)
	out, err := exec.Command(objdump, append(args, bin)...).CombinedOutput()
	if err != nil {
		t.Fatalf("%s: %v\n%s", objdump, err, out)
	}
	line := regexp.MustCompile(`^\s*([0-9a-f]+):\t[0-9a-f ]+\t(.*)$`)
	got := map[int]string{}
	for _, l := range strings.Split(string(out), "\n") {
		if m := line.FindStringSubmatch(l); m != nil {
			off, _ := strconv.ParseInt(m[1], 16, 64)
			got[int(off)] = m[2]
		}
	}
	return got
}

func normAsm(s string) string {
	s = strings.ToLower(strings.Join(strings.Fields(s), " "))
	s = strings.ReplaceAll(s, ", ", ",")
	return s
}

// TestGenericUnfused checks that the Go compiler fused no multiply-add in
// the generic vector functions on arm64, where it does fuse x*y+z unless an
// explicit conversion rounds the product: the vector tiers are bit-identical
// to these functions only without fusion. The detector is proven on
// gemmF32NTGeneric, which is fused.
func TestGenericUnfused(t *testing.T) {
	if testing.Short() {
		t.Skip("cross-compiles the package")
	}
	goBin := filepath.Join(build.Default.GOROOT, "bin", "go")
	if _, err := os.Stat(goBin); err != nil {
		t.Skipf("go command not found: %v", err)
	}
	lib := filepath.Join(t.TempDir(), "asm.a")
	cmd := exec.Command(goBin, "build", "-o", lib, ".")
	cmd.Env = append(os.Environ(), "GOARCH=arm64", "GOOS=linux")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("GOARCH=arm64 go build: %v\n%s", err, out)
	}
	fused := func(re string) int {
		out, err := exec.Command(goBin, "tool", "objdump", "-s", re, lib).CombinedOutput()
		if err != nil {
			t.Fatalf("go tool objdump: %v\n%s", err, out)
		}
		return len(regexp.MustCompile(`\bF(N?MADD|N?MSUB)[SD]\b`).FindAll(out, -1))
	}
	if fused(`asm\.gemmF32NTGeneric$`) == 0 {
		t.Fatal("detector: no FMADD found in gemmF32NTGeneric")
	}
	vec := `asm\.(swigluGeneric|silu32|Exp32|exp32Reduced|AddRMSNorm|addRMSNormGeneric|addSquares|rmsInv|` +
		`RoPEHalf|ropeGeneric|ropeHalfGeneric|DequantS8|dequantS8Generic|QuantizeRowS8|quantS8Tail)$`
	if n := fused(vec); n != 0 {
		t.Fatalf("%d fused multiply-adds in the generic vector functions (GOARCH=arm64)", n)
	}
}

//go:build ignore

// wordgen fills in the WORD encodings of arm64 instructions that the Go
// assembler lacks. Write the instruction in GNU syntax as the comment of a
// placeholder line, "WORD $? // sdot v0.4s, v16.16b, v20.4b[1]", then run
//
//	go run wordgen.go gemm_s8_arm64.s
//
// It assembles every such comment with aarch64-linux-gnu-as (Debian package
// binutils-aarch64-linux-gnu) and rewrites the file in place, refreshing
// existing WORD values too. TestWordEncodings checks the result with
// aarch64-linux-gnu-objdump.
package main

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
)

// A WORD line: indentation, value, separator, the GNU instruction as a //
// comment or, inside a multi-line #define, as a /* */ comment before the
// continuation backslash.
var wordLine = regexp.MustCompile(`^(\s*)WORD \$(0x[0-9a-fA-F]{8}|\?)(;?\s*)(?:// (.*)|/\* (.*) \*/(\s*\\))$`)

func main() {
	for _, file := range os.Args[1:] {
		if err := fill(file); err != nil {
			fmt.Fprintln(os.Stderr, "wordgen:", err)
			os.Exit(1)
		}
	}
}

func fill(file string) error {
	src, err := os.ReadFile(file)
	if err != nil {
		return err
	}
	lines := strings.Split(string(src), "\n")
	var idx []int
	var asmText bytes.Buffer
	for i, l := range lines {
		if m := wordLine.FindStringSubmatch(l); m != nil {
			idx = append(idx, i)
			fmt.Fprintln(&asmText, m[4]+m[5])
		}
	}
	if len(idx) == 0 {
		return nil
	}
	dir, err := os.MkdirTemp("", "wordgen")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	in, obj, bin := filepath.Join(dir, "in.s"), filepath.Join(dir, "in.o"), filepath.Join(dir, "in.bin")
	if err := os.WriteFile(in, asmText.Bytes(), 0o644); err != nil {
		return err
	}
	if out, err := exec.Command("aarch64-linux-gnu-as", "-march=armv8.2-a+dotprod", "-o", obj, in).CombinedOutput(); err != nil {
		return fmt.Errorf("%s: %v\n%s", file, err, out)
	}
	if out, err := exec.Command("aarch64-linux-gnu-objcopy", "-O", "binary", "-j", ".text", obj, bin).CombinedOutput(); err != nil {
		return fmt.Errorf("%v\n%s", err, out)
	}
	code, err := os.ReadFile(bin)
	if err != nil {
		return err
	}
	if len(code) != 4*len(idx) {
		return fmt.Errorf("%s: %d instructions gave %d bytes", file, len(idx), len(code))
	}
	for j, i := range idx {
		m := wordLine.FindStringSubmatch(lines[i])
		w := binary.LittleEndian.Uint32(code[4*j:])
		if m[5] != "" {
			lines[i] = fmt.Sprintf("%sWORD $0x%08x%s/* %s */%s", m[1], w, m[3], m[5], m[6])
		} else {
			lines[i] = fmt.Sprintf("%sWORD $0x%08x%s// %s", m[1], w, m[3], m[4])
		}
	}
	return os.WriteFile(file, []byte(strings.Join(lines, "\n")), 0o644)
}

package data

import (
	"fmt"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"
)

func TestScratch(t *testing.T) {
	b, _ := os.ReadFile("testdata/fuzz/FuzzARCTask/ed69d33b8278133b")
	lines := strings.SplitN(string(b), "\n", 3)
	s := strings.TrimSuffix(strings.TrimPrefix(lines[1], "[]byte("), ")")
	data, err := strconv.Unquote(s)
	fmt.Printf("%q %v\n", data, err)
	done := make(chan bool)
	go func() { parseARCStd("f", []byte(data)); fmt.Println("std done"); done <- true }()
	select { case <-done: case <-time.After(2 * time.Second): fmt.Println("std hang") }
	go func() { _, _, e := parseARCSimd("f", []byte(data), nil); fmt.Println("simd done", e); done <- true }()
	select { case <-done: case <-time.After(2 * time.Second): fmt.Println("simd hang") }
}

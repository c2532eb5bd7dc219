package asm

import (
	"fmt"
	"os"
	"testing"
	"time"
)

// Benchmarks per tier on HRM shapes. Besides ns/op they report GOP/s
// (2 ops per MAC) and MACs/cycle against the clock from ClockHz.
//
//	go test -run '^$' -bench 'GemmS8/.*M=82' ./asm/
func benchTiers(b *testing.B, fam string, shapes [][3]int) {
	hz, _ := ClockHz()
	prev := Selected()
	defer func() {
		for _, p := range prev {
			_ = Use(p.Family + "=" + p.Name)
		}
	}()
	for _, tier := range Tiers() {
		if tier.Family != fam || !tier.Supported {
			continue
		}
		for _, s := range shapes {
			run, macs, name := benchFunc(fam, s)
			b.Run(fmt.Sprintf("%s/%s", tier.Name, name), func(b *testing.B) {
				if err := Use(fam + "=" + tier.Name); err != nil {
					b.Fatal(err)
				}
				run()
				b.ResetTimer()
				for b.Loop() {
					run()
				}
				sec := b.Elapsed().Seconds() / float64(b.N)
				b.ReportMetric(2*macs/sec/1e9, "GOP/s")
				b.ReportMetric(macs/sec/hz, "MACs/cycle")
			})
		}
	}
}

func BenchmarkGemmS8(b *testing.B)    { benchTiers(b, FamilyGemmS8, HRMGemmShapes()) }
func BenchmarkGemmF32NT(b *testing.B) { benchTiers(b, FamilyGemmF32, HRMGemmShapes()) }
func BenchmarkAttention(b *testing.B) { benchTiers(b, FamilyAttention, HRMAttentionShapes()) }

// TestBenchTable prints the hrm-bench style table for M=82 when
// HRM_BENCH_TABLE=1 (it is a measurement, not a check).
func TestBenchTable(t *testing.T) {
	if os.Getenv("HRM_BENCH_TABLE") == "" {
		t.Skip("set HRM_BENCH_TABLE=1 to print the benchmark table")
	}
	var shapes [][3]int
	for _, s := range HRMGemmShapes() {
		if s[0] == 82 || os.Getenv("HRM_BENCH_TABLE") == "all" {
			shapes = append(shapes, s)
		}
	}
	rs, err := Bench(BenchConfig{GemmShapes: shapes, MinTime: 300 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	WriteBenchTable(os.Stdout, rs)
}

package cli

import (
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"
)

// Bytes is a memory size flag: a number of bytes with an optional suffix
// K, M, G or T (powers of 1024, with or without "iB"/"B"), e.g. 512M, 1.5G.
type Bytes int64

func (b *Bytes) Set(s string) error {
	t := strings.TrimSpace(s)
	mult := 1.0
	u := strings.ToUpper(t)
	u = strings.TrimSuffix(strings.TrimSuffix(u, "B"), "I")
	for i, suf := range []string{"K", "M", "G", "T"} {
		if strings.HasSuffix(u, suf) {
			u, mult = strings.TrimSuffix(u, suf), math.Pow(1024, float64(i+1))
			break
		}
	}
	v, err := strconv.ParseFloat(strings.TrimSpace(u), 64)
	if err != nil || math.IsNaN(v) || math.IsInf(v, 0) {
		return errors.New("want a size such as 512M or 2G")
	}
	n := v * mult
	if n < 1 || n > math.MaxInt64/2 {
		return errors.New("size out of range")
	}
	*b = Bytes(n)
	return nil
}

func (b *Bytes) String() string { return FormatBytes(int64(*b)) }

// FormatBytes writes n bytes in binary units, 3 significant digits.
func FormatBytes(n int64) string {
	const unit = 1024
	if n < unit {
		return fmt.Sprintf("%d B", n)
	}
	v, i := float64(n), -1
	for v >= unit && i < 3 {
		v /= unit
		i++
	}
	return strconv.FormatFloat(v, 'f', max(0, 2-int(math.Log10(v))), 64) + " " + []string{"KiB", "MiB", "GiB", "TiB"}[i]
}

// DefaultMemBudget is the working memory a command allows itself unless
// told otherwise: a quarter of the memory this machine (or its container)
// has, at most 1 GiB; 1 GiB where that is unknown. The weights come on top,
// and a Raspberry Pi with 1 GB must survive the default.
func DefaultMemBudget() int64 {
	total := TotalMemory()
	if total <= 0 {
		return 1 << 30
	}
	return min(1<<30, total/4)
}

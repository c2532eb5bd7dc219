//go:build (!amd64 && !arm64) || purego || noasm

package asm

import "testing"

func crossCheckCPU(t *testing.T) {
	for _, tier := range Tiers() {
		if tier.Name != "generic" {
			t.Errorf("tier %s/%s present in a build without assembly", tier.Family, tier.Name)
		}
	}
}

package arc

import (
	"fmt"
	"strings"
)

// Palette is the ARC colours 0..9 as the ARC-AGI viewer shows them, RGB.
var Palette = [NumColors][3]uint8{
	{0x00, 0x00, 0x00}, // 0 black
	{0x00, 0x74, 0xd9}, // 1 blue
	{0xff, 0x41, 0x36}, // 2 red
	{0x2e, 0xcc, 0x40}, // 3 green
	{0xff, 0xdc, 0x00}, // 4 yellow
	{0xaa, 0xaa, 0xaa}, // 5 grey
	{0xf0, 0x12, 0xbe}, // 6 magenta
	{0xff, 0x85, 0x1b}, // 7 orange
	{0x7f, 0xdb, 0xff}, // 8 azure
	{0x87, 0x0c, 0x25}, // 9 maroon
}

// Text renders the grid as rows of digits, one row a line.
func (g Grid) Text() string {
	var sb strings.Builder
	for r := 0; r < g.H; r++ {
		if r > 0 {
			sb.WriteByte('\n')
		}
		for c := 0; c < g.W; c++ {
			sb.WriteByte('0' + g.At(r, c))
		}
	}
	return sb.String()
}

// ANSI renders the grid in colour for a terminal with 24-bit colour: two
// spaces of the cell's colour per cell, one row a line.
func (g Grid) ANSI() string {
	var sb strings.Builder
	for r := 0; r < g.H; r++ {
		for c := 0; c < g.W; c++ {
			p := Palette[min(int(g.At(r, c)), NumColors-1)]
			fmt.Fprintf(&sb, "\x1b[48;2;%d;%d;%dm  ", p[0], p[1], p[2])
		}
		sb.WriteString("\x1b[0m\n")
	}
	return sb.String()
}

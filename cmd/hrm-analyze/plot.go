package main

import (
	"fmt"
	"image/color"
	"os"
	"strings"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/vgimg"
	"gonum.org/v1/plot/vg/vgsvg"
)

// writePlot draws PR against the number of puzzles, one panel per model:
// the analogue of the HRM paper's Figure 8 (c) and (e) in one chart.
func writePlot(path string, rs []prResult) error {
	var plots []*plot.Plot
	for _, r := range rs {
		p := plot.New()
		p.Title.Text = fmt.Sprintf("%s (D %d)", r.Model, r.Hidden)
		p.X.Label.Text = "puzzles (trajectories)"
		p.Y.Label.Text = "participation ratio"
		p.Y.Min = 0
		p.Legend.Top = true
		p.Legend.Left = true
		red, blue := color.RGBA{R: 0xd9, G: 0x48, B: 0x0f, A: 0xff}, color.RGBA{R: 0x19, G: 0x71, B: 0xc2, A: 0xff}
		for _, s := range []struct {
			name   string
			pts    []prPoint
			zH     bool
			col    color.Color
			dashed bool
		}{
			{"z_H trained", r.Trained, true, red, false},
			{"z_L trained", r.Trained, false, blue, false},
			{"z_H random weights", r.Random, true, red, true},
			{"z_L random weights", r.Random, false, blue, true},
		} {
			xy := make(plotter.XYs, len(s.pts))
			for i, pt := range s.pts {
				xy[i].X = float64(pt.N)
				if xy[i].Y = pt.ZL; s.zH {
					xy[i].Y = pt.ZH
				}
			}
			l, sc, err := plotter.NewLinePoints(xy)
			if err != nil {
				return err
			}
			l.Color, sc.Color = s.col, s.col
			l.Width = vg.Points(1.5)
			if s.dashed {
				l.Dashes = []vg.Length{vg.Points(5), vg.Points(3)}
				sc.Shape = draw.BoxGlyph{}
			} else {
				sc.Shape = draw.CircleGlyph{}
			}
			p.Add(l, sc)
			p.Legend.Add(s.name, l, sc)
		}
		p.Add(plotter.NewGrid())
		// Headroom above the curves for the legend.
		top := 0.0
		for _, pts := range [][]prPoint{r.Trained, r.Random} {
			for _, pt := range pts {
				top = max(top, pt.ZH, pt.ZL)
			}
		}
		p.Y.Max = 1.5 * top
		plots = append(plots, p)
	}
	w, h := vg.Length(len(plots))*5*vg.Inch, 4*vg.Inch
	var c vg.CanvasSizer
	var write func(*os.File) error
	if strings.HasSuffix(path, ".png") {
		img := vgimg.New(w, h)
		c = img
		write = func(f *os.File) error { _, err := vgimg.PngCanvas{Canvas: img}.WriteTo(f); return err }
	} else {
		svg := vgsvg.New(w, h)
		c = svg
		write = func(f *os.File) error { _, err := svg.WriteTo(f); return err }
	}
	dc := draw.New(c)
	canvases := plot.Align([][]*plot.Plot{plots}, draw.Tiles{Rows: 1, Cols: len(plots), PadX: vg.Millimeter * 4}, dc)
	for i, p := range plots {
		p.Draw(canvases[0][i])
	}
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	if err := write(f); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

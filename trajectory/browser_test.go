package trajectory

import (
	"bytes"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"
	"github.com/hrmgo/hrm/internal/browser"
	"github.com/hrmgo/hrm/models"
	"github.com/hrmgo/hrm/runtime"
	"github.com/stretchr/testify/require"
)

// The -html page of the built-in 9×9 model's sample in headless Chromium:
// every segment renders the digits it recorded, the slider, the buttons and
// the keyboard move through them, the inner-update switch shows every
// inner state, and the page fetches nothing.
func TestPageInBrowser(t *testing.T) {
	s := builtin(t, models.Sudoku9)
	g, err := ParsePuzzle(models.Sudoku9.Sample, 81)
	require.NoError(t, err)
	tr, err := Run(s, models.Sudoku9.Name, g, runtime.Options{}, true, nil)
	require.NoError(t, err)
	var page bytes.Buffer
	require.NoError(t, WriteHTML(&page, tr))

	var hits atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/" {
			hits.Add(1000) // anything else the page asked for
			http.NotFound(w, r)
			return
		}
		hits.Add(1)
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.Write(page.Bytes())
	}))
	defer srv.Close()

	ctx := browser.New(t, 90*time.Second)
	require.NoError(t, chromedp.Do(ctx, chromedp.Navigate(srv.URL), chromedp.WaitVisible("#hv-grid")))
	eval := func(js string) string {
		v, err := chromedp.Run(ctx, chromedp.Evaluate[string](js))
		require.NoError(t, err, js)
		return v
	}
	var segs []Step
	for _, st := range tr.Steps {
		if st.SegmentEnd() {
			segs = append(segs, st)
		}
	}
	require.Equal(t, fmt.Sprint(len(segs)), eval(`document.getElementById("viewer").dataset.steps`))
	require.Equal(t, "81", eval(`String(document.querySelectorAll("#hv-grid .hv-cell").length)`))
	require.Equal(t, fmt.Sprint(81-strings.Count(models.Sudoku9.Sample, ".")), eval(`String(document.querySelectorAll("#hv-grid .hv-given").length)`))
	require.Contains(t, eval(`document.getElementById("hv-status").textContent`), fmt.Sprintf("valid solution after %d segments", len(segs)))

	// The grid as digits: what a person reads off the page.
	gridText := `Array.from(document.querySelectorAll("#hv-grid .hv-cell")).map(c => c.textContent).join(",")`
	// Before the first z_H update of a run every cell decodes H_init alike,
	// to no digit ('·'); a given the model overwrites shows as "given→new".
	want := func(st Step) string {
		cells := make([]string, len(st.Pred))
		for i, d := range st.Pred {
			show := "·"
			if d != 0 {
				show = fmt.Sprint(d)
			}
			switch given := tr.Puzzle[i]; {
			case given == 0 || given == d:
				cells[i] = show
			default:
				cells[i] = fmt.Sprintf("%d→%s", given, show)
			}
		}
		return strings.Join(cells, ",")
	}
	for k, st := range segs {
		eval(fmt.Sprintf(`(() => { const s = document.getElementById("hv-step"); s.value = %d; s.dispatchEvent(new Event("input")); return "" })()`, k))
		require.Equal(t, want(st), eval(gridText), "step %d", k+1)
		require.Contains(t, eval(`document.getElementById("hv-label").textContent`), fmt.Sprintf("step %d of %d · segment %d of %d", k+1, len(segs), k+1, len(segs)))
	}
	if k := 1; true {
		// Changed cells are marked against the step before.
		eval(`(() => { const s = document.getElementById("hv-step"); s.value = 1; s.dispatchEvent(new Event("input")); return "" })()`)
		n := 0
		for i := range segs[k].Pred {
			if segs[k].Pred[i] != segs[k-1].Pred[i] {
				n++
			}
		}
		require.Equal(t, fmt.Sprint(n), eval(`String(document.querySelectorAll("#hv-grid .hv-changed").length)`))
	}

	// People move it with the slider's keys, the buttons and the play button.
	require.NoError(t, chromedp.Do(ctx, chromedp.Focus("#hv-step"), chromedp.KeyEvent(kb.ArrowRight)))
	require.Equal(t, "2", eval(`document.getElementById("viewer").dataset.index`))
	require.NoError(t, chromedp.Do(ctx, chromedp.Click("#hv-prev"), chromedp.Click("#hv-prev")))
	require.Equal(t, "0", eval(`document.getElementById("viewer").dataset.index`))
	require.NoError(t, chromedp.Do(ctx, chromedp.Click("#hv-next")))
	require.Equal(t, "1", eval(`document.getElementById("viewer").dataset.index`))
	require.Equal(t, want(segs[1]), eval(gridText))
	require.NoError(t, chromedp.Do(ctx, chromedp.Click("#hv-play")))
	_, err = chromedp.Run(ctx, chromedp.Poll[bool](`document.getElementById("viewer").dataset.index === "3"`, chromedp.WithPollingTimeout(10*time.Second)))
	require.NoError(t, err, "play advances the slider")
	require.NoError(t, chromedp.Do(ctx, chromedp.Click("#hv-play")))
	require.Contains(t, eval(`document.getElementById("hv-play").textContent`), "Play")

	require.NoError(t, chromedp.Do(ctx, chromedp.Click("#hv-inner")))
	require.Equal(t, fmt.Sprint(len(tr.Steps)), eval(`document.getElementById("viewer").dataset.steps`))
	eval(`(() => { const s = document.getElementById("hv-step"); s.value = 1; s.dispatchEvent(new Event("input")); return "" })()`)
	require.Equal(t, want(tr.Steps[1]), eval(gridText))
	require.Contains(t, eval(`document.getElementById("hv-label").textContent`), "segment 1 · round 1 · z_L update 2")

	// A point or bar per step on each chart, and the charts move the view.
	// (dots on the Q lines up to 60 steps; beyond, the lines alone)
	dots := 2 * len(tr.Steps)
	if len(tr.Steps) > 60 {
		dots = 0
	}
	require.Equal(t, fmt.Sprint(dots), eval(`String(document.querySelectorAll("#hv-qchart circle").length)`))
	require.Equal(t, "2", eval(`String(document.querySelectorAll("#hv-qchart path.hv-line").length)`))
	require.Equal(t, fmt.Sprint(len(tr.Steps)), eval(`String(document.querySelectorAll("#hv-changechart rect").length)`))
	require.NoError(t, chromedp.Do(ctx, chromedp.Click("#hv-inner")))

	require.Equal(t, "", eval(`performance.getEntriesByType("resource").map(e => e.name).join(" ")`), "the page loads no resource")
	require.Equal(t, int32(1), hits.Load(), "one request: the page")

	eval(`(() => { const s = document.getElementById("hv-step"); s.value = 2; s.dispatchEvent(new Event("input")); return "" })()`)
	shot := filepath.Join(os.TempDir(), "hrm-trajectory-page.png")
	require.NoError(t, browser.Screenshot(ctx, shot))
	t.Logf("screenshot: %s", shot)
}

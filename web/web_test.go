package web

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/hrmgo/hrm/internal/browser"
	"github.com/hrmgo/hrm/models"
	"github.com/hrmgo/hrm/runtime"
	"github.com/hrmgo/hrm/task/sudoku"
	"github.com/stretchr/testify/require"
)

// The site in headless Chromium: a visitor types a puzzle, presses Solve and
// the built-in model, compiled to wasm, solves it in the page's worker with
// the trajectory drawn step by step; a bad puzzle is one line naming the
// problem; the 4×4 sample picks the 4×4 model.
func TestSiteSolvesInBrowser(t *testing.T) {
	if testing.Short() {
		t.Skip("builds hrm.wasm")
	}
	ctx := browser.New(t, 4*time.Minute) // before the build: skips at once without a browser
	dir := t.TempDir()
	t0 := time.Now()
	require.NoError(t, Build(dir, ""))
	t.Logf("built the site in %v", time.Since(t0).Round(time.Millisecond))

	var mu sync.Mutex
	served := map[string]int{}
	files := http.FileServer(http.Dir(dir))
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		served[r.URL.Path]++
		mu.Unlock()
		files.ServeHTTP(w, r)
	}))
	defer srv.Close()

	eval := func(js string) string {
		v, err := chromedp.Run(ctx, chromedp.Evaluate[string](js))
		require.NoError(t, err, js)
		return v
	}
	wait := func(js string, d time.Duration) {
		_, err := chromedp.Run(ctx, chromedp.Poll[bool](js, chromedp.WithPollingTimeout(d)))
		require.NoError(t, err, "waiting for %s; status: %s", js, eval(`document.getElementById("app-status").textContent`))
	}
	require.NoError(t, chromedp.Do(ctx, chromedp.Navigate(srv.URL+"/")))
	wait(`window.hrmApp && hrmApp.ready`, time.Minute)
	require.Equal(t, models.Sudoku9.Sample, eval(`document.getElementById("puzzle").value`), "the sample is there to start with")

	// Typed with 0 for blanks and a space in the middle, as people do.
	typed := strings.ReplaceAll(models.Sudoku9.Sample, ".", "0")
	typed = typed[:40] + " " + typed[40:]
	eval(`document.getElementById("puzzle").value = ""`)
	require.NoError(t, chromedp.Do(ctx,
		chromedp.SendKeys("#puzzle", typed),
		chromedp.Click("#solve")))
	wait(`hrmApp.runs.length === 1`, 2*time.Minute)
	require.Equal(t, "true", eval(`String(hrmApp.runs[0].solved)`), "status: %s", eval(`document.getElementById("app-status").textContent`))
	// The page's default: the model's whole budget, every segment run.
	m, err := runtime.LoadBytes(models.Sudoku9.Name, models.Sudoku9.File)
	require.NoError(t, err)
	segs := m.Cfg.HaltMaxSteps
	m.Close()
	require.Equal(t, fmt.Sprint(segs), eval(`String(hrmApp.runs[0].segments)`))
	require.Equal(t, fmt.Sprint(segs), eval(`document.getElementById("viewer").dataset.steps`), "every segment reached the page")
	require.Contains(t, eval(`document.getElementById("hv-status").textContent`), fmt.Sprintf("valid solution after %d segments", segs))
	require.Contains(t, eval(`document.getElementById("app-status").textContent`), fmt.Sprintf("solved: %d segments in", segs))

	// What the grid shows at the last step is the puzzle's solution.
	g, err := sudoku.Parse(models.Sudoku9.Sample)
	require.NoError(t, err)
	sol, _, err := sudoku.Solve(g)
	require.NoError(t, err)
	require.Equal(t, fmt.Sprint(segs-1), eval(`document.getElementById("viewer").dataset.index`), "the view follows the run")
	shown := eval(`Array.from(document.querySelectorAll("#hv-grid .hv-cell")).map(c => c.textContent).join("")`)
	require.Equal(t, sol.String(), shown)
	t.Logf("9×9 sample: model %s ms, page %s ms, model load %s ms",
		eval(`hrmApp.runs[0].ms.toFixed(1)`), eval(`hrmApp.runs[0].page_ms.toFixed(1)`), eval(`hrmApp.runs[0].load_ms.toFixed(1)`))
	// HRM_WEB_SOLVES=N times N more solves of the sample (the README's
	// numbers): model time per puzzle, minimum and median.
	if n, _ := strconv.Atoi(os.Getenv("HRM_WEB_SOLVES")); n > 0 {
		var ms []float64
		for i := 0; i < n; i++ {
			require.NoError(t, chromedp.Do(ctx, chromedp.Click("#solve")))
			wait(fmt.Sprintf(`hrmApp.runs.length === %d`, i+2), 2*time.Minute)
			v, err := strconv.ParseFloat(eval(fmt.Sprintf(`hrmApp.runs[%d].ms.toFixed(2)`, i+1)), 64)
			require.NoError(t, err)
			ms = append(ms, v)
		}
		sort.Float64s(ms)
		t.Logf("9×9 sample, %d solves: model time min %.1f ms, median %.1f ms, max %.1f ms", n, ms[0], ms[n/2], ms[n-1])
		eval(`hrmApp.runs.length = 1, ""`)
	}
	require.NoError(t, chromedp.Do(ctx, chromedp.Click("#hv-prev")))
	require.Equal(t, fmt.Sprint(segs-2), eval(`document.getElementById("viewer").dataset.index`))
	require.NoError(t, chromedp.Do(ctx, chromedp.Click("#hv-next")))
	shot := filepath.Join(os.TempDir(), "hrm-web-page.png")
	require.NoError(t, browser.Screenshot(ctx, shot))
	t.Logf("screenshot: %s", shot)

	// Bad input: one line naming the problem.
	require.NoError(t, chromedp.Do(ctx,
		chromedp.SetValue("#puzzle", "55"+models.Sudoku9.Sample[2:]),
		chromedp.Click("#solve")))
	wait(`hrmApp.error !== ""`, 30*time.Second)
	require.Equal(t, "puzzle: sudoku: digit 5 twice in row 1 (columns 1 and 2)", eval(`hrmApp.error`))
	require.Equal(t, "puzzle: sudoku: digit 5 twice in row 1 (columns 1 and 2)", eval(`document.getElementById("app-status").textContent`))

	// The 4×4 sample, stopping when the Q head says halt.
	require.NoError(t, chromedp.Do(ctx,
		chromedp.Click("#sample4"),
		chromedp.SetValue("#halt", "q"),
		chromedp.Click("#solve")))
	wait(`hrmApp.runs.length === 2`, time.Minute)
	require.Equal(t, "true", eval(`String(hrmApp.runs[1].solved)`))
	t.Logf("4×4 sample (halt q, %s segments): model %s ms", eval(`String(hrmApp.runs[1].segments)`), eval(`hrmApp.runs[1].ms.toFixed(1)`))
	require.Equal(t, "16", eval(`String(document.querySelectorAll("#hv-grid .hv-cell").length)`))
	require.Contains(t, eval(`document.getElementById("hv-title") ? "" : document.querySelector(".hv-title").textContent`), models.Sudoku4.Name)

	// Stopping once the grid verifies: the 4×4 sample after one segment.
	require.NoError(t, chromedp.Do(ctx,
		chromedp.SetValue("#halt", "valid"),
		chromedp.Click("#solve")))
	wait(`hrmApp.runs.length === 3`, time.Minute)
	require.Equal(t, "true", eval(`String(hrmApp.runs[2].solved)`))
	require.Equal(t, "1", eval(`String(hrmApp.runs[2].segments)`))

	mu.Lock()
	defer mu.Unlock()
	for p := range served {
		require.Contains(t, []string{"/", "/worker.js", "/wasm_exec.js", "/hrm.wasm"}, p, "the site asks only for its own files")
	}
	require.Equal(t, 1, served["/hrm.wasm"], "the model is downloaded once")
}

//go:build !js

// Package browser starts headless Chromium for tests that check pages the
// way a person sees them (github.com/chromedp/chromedp).
package browser

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// Chromium returns the browser binary: $HRM_CHROMIUM, or the first of
// chromium, chromium-browser, google-chrome on PATH.
func Chromium() (string, error) {
	if p := os.Getenv("HRM_CHROMIUM"); p != "" {
		return p, nil
	}
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome"} {
		if p, err := exec.LookPath(name); err == nil {
			return p, nil
		}
	}
	return "", fmt.Errorf("no chromium, chromium-browser or google-chrome on PATH (apt-get install chromium, or set HRM_CHROMIUM)")
}

// New starts a headless Chromium with an empty profile for t and returns a
// browser context that ends with the test (or after timeout). Without a
// browser the test is skipped saying so, except under CI (CI=true), where
// .ci/run installs one and its absence is a failure.
func New(t testing.TB, timeout time.Duration) context.Context {
	t.Helper()
	exe, err := Chromium()
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("browser test: %v", err)
		}
		t.Skipf("browser test skipped: %v", err)
	}
	opts := []chromedp.ExecAllocatorOption{
		chromedp.ExecPath(exe),
		chromedp.UserDataDir(t.TempDir()),
		chromedp.Flag("headless", true),
		chromedp.Flag("no-sandbox", true), // CI runs as root
		chromedp.Flag("disable-gpu", true),
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("no-first-run", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("disable-dev-shm-usage", true),
		chromedp.WindowSize(1000, 760),
	}
	actx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancelCtx := chromedp.NewContext(actx)
	ctx, cancelTimeout := context.WithTimeout(ctx, timeout)
	t.Cleanup(func() { cancelTimeout(); cancelCtx(); cancelAlloc() })
	if err := chromedp.Do(ctx); err != nil { // starts the browser
		t.Fatalf("starting %s: %v", exe, err)
	}
	return ctx
}

// Screenshot saves the viewport as a PNG at path (for people to look at;
// tests write them under the system temporary directory).
func Screenshot(ctx context.Context, path string) error {
	png, err := chromedp.Run(ctx, chromedp.CaptureScreenshot())
	if err != nil {
		return err
	}
	return os.WriteFile(path, png, 0o644)
}

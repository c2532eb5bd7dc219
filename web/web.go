// Package web builds the static page on which a visitor watches the
// built-in model solve a Sudoku in the browser: index.html (the viewer of
// package trajectory and a puzzle box), worker.js, Go's wasm_exec.js and
// hrm.wasm, the model built with GOOS=js GOARCH=wasm and generic kernels.
// The four files are the whole site; any static file server serves it.
package web

import (
	_ "embed"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"

	"github.com/hrmgo/hrm/trajectory"
)

var (
	//go:embed assets/index.html
	indexHTML string
	//go:embed assets/app.js
	appJS string
	//go:embed assets/worker.js
	workerJS string
)

// Files are the names Build writes, in dir.
var Files = []string{"index.html", "worker.js", "wasm_exec.js", "hrm.wasm"}

// Build writes the site into dir, compiling ./web/wasm with the go command
// named by goCmd ("" for "go" on PATH).
func Build(dir, goCmd string) error {
	if goCmd == "" {
		goCmd = "go"
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	page := strings.NewReplacer("{{css}}", trajectory.ViewerCSS, "{{js}}", trajectory.ViewerJS, "{{app}}", appJS).Replace(indexHTML)
	if err := os.WriteFile(filepath.Join(dir, "index.html"), []byte(page), 0o644); err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(dir, "worker.js"), []byte(workerJS), 0o644); err != nil {
		return err
	}
	exec_, err := wasmExec(goCmd)
	if err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(dir, "wasm_exec.js"), exec_, 0o644); err != nil {
		return err
	}
	out, err := filepath.Abs(filepath.Join(dir, "hrm.wasm"))
	if err != nil {
		return err
	}
	// -s -w: no symbol table or DWARF, a fifth of the download.
	cmd := exec.Command(goCmd, "build", "-trimpath", "-ldflags=-s -w", "-o", out, "github.com/hrmgo/hrm/web/wasm")
	cmd.Env = append(os.Environ(), "GOOS=js", "GOARCH=wasm", "CGO_ENABLED=0")
	if b, err := cmd.CombinedOutput(); err != nil {
		return fmt.Errorf("building hrm.wasm: %v\n%s", err, b)
	}
	return nil
}

// wasmExec is the JavaScript support file of the Go toolchain that builds
// hrm.wasm: the two must come from the same release.
func wasmExec(goCmd string) ([]byte, error) {
	root := runtime.GOROOT()
	if b, err := exec.Command(goCmd, "env", "GOROOT").Output(); err == nil {
		root = strings.TrimSpace(string(b))
	}
	for _, p := range []string{"lib/wasm/wasm_exec.js", "misc/wasm/wasm_exec.js"} {
		if b, err := os.ReadFile(filepath.Join(root, p)); err == nil {
			return b, nil
		}
	}
	return nil, fmt.Errorf("no wasm_exec.js under %s (lib/wasm or misc/wasm)", root)
}

package trajectory

import (
	_ "embed"
	"html"
	"io"
	"strings"
)

// The viewer is plain HTML, CSS and JavaScript with no dependencies, so a
// page works opened from disk with no network; the same two files drive
// the browser build.
var (
	//go:embed assets/viewer.css
	ViewerCSS string
	//go:embed assets/viewer.js
	ViewerJS string
	//go:embed assets/page.html
	pageHTML string
)

// WriteHTML writes t as one self-contained page: styles, script and data
// inline, nothing fetched.
func WriteHTML(w io.Writer, t *Trajectory) error {
	js, err := t.JSON()
	if err != nil {
		return err
	}
	r := strings.NewReplacer(
		"{{title}}", html.EscapeString(t.Model+" — trajectory"),
		"{{css}}", ViewerCSS,
		"{{js}}", ViewerJS,
		"{{data}}", string(js),
	)
	_, err = r.WriteString(w, pageHTML)
	return err
}

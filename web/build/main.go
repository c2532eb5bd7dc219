// Command build writes the browser page (package web) into a directory:
// make web runs it as go run ./web/build -out web/dist.
package main

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"

	"github.com/hrmgo/hrm/web"
)

func main() {
	out := flag.String("out", "web/dist", "directory to write the site into")
	flag.Parse()
	if flag.NArg() > 0 {
		fmt.Fprintf(os.Stderr, "build: unexpected argument %q\n", flag.Arg(0))
		os.Exit(2)
	}
	if err := web.Build(*out, ""); err != nil {
		fmt.Fprintf(os.Stderr, "build: %v\n", err)
		os.Exit(1)
	}
	var total int64
	for _, f := range web.Files {
		st, err := os.Stat(filepath.Join(*out, f))
		if err != nil {
			fmt.Fprintf(os.Stderr, "build: %v\n", err)
			os.Exit(1)
		}
		fmt.Printf("%-13s %9d bytes\n", f, st.Size())
		total += st.Size()
	}
	fmt.Printf("%-13s %9d bytes in %s\n", "total", total, *out)
}

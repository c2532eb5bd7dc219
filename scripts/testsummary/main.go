// Command testsummary reads the output of `go test -json` and says what
// passed, what failed and what was skipped and why, which `go test`
// without -v never says: a skipped test looks like a passing one. make test
// runs every go test through it and ends with its report.
//
//	go test -json ./... | go run ./scripts/testsummary -tee bin/unit.jsonl
//	go run ./scripts/testsummary -report -matrix bin/matrix.tsv bin/unit.jsonl bin/race.jsonl
//
// With -tee it copies the stream to a file, prints what go test would
// print without -json (package results, the output of failed tests, build
// errors) and exits 1 if anything failed. With -report it reads such files
// (and the kernel matrix's results, name TAB status TAB detail) and prints
// one line per skip and, last, one line counting passes and skips with the
// reason of each skip.
package main

import (
	"bufio"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"regexp"
	"strings"
)

// event is one line of `go test -json` (test2json).
type event struct {
	Action     string
	Package    string
	Test       string
	Output     string
	ImportPath string // build-output, build-fail
}

func main() {
	tee := flag.String("tee", "", "filter mode: copy the go test -json stream from stdin to this file")
	report := flag.Bool("report", false, "report mode: summarise the go test -json files given as arguments")
	matrix := flag.String("matrix", "", "with -report: the kernel matrix's results (name TAB status TAB detail)")
	flag.Parse()
	var err error
	switch {
	case *tee != "" && !*report:
		err = filter(os.Stdin, *tee, os.Stdout)
	case *report && *tee == "":
		err = summarise(flag.Args(), *matrix, os.Stdout)
	default:
		err = errors.New("give -tee FILE or -report FILES")
	}
	if err != nil {
		fmt.Fprintf(os.Stderr, "testsummary: %v\n", err)
		os.Exit(1)
	}
}

// errFailed says that tests failed; their output is already printed.
var errFailed = errors.New("tests failed")

func filter(in io.Reader, path string, out io.Writer) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	w := bufio.NewWriter(f)
	failed := false
	outputs := map[[2]string][]string{} // (package, test) → its output so far
	sc := bufio.NewScanner(in)
	sc.Buffer(make([]byte, 64<<10), 16<<20)
	for sc.Scan() {
		line := sc.Bytes()
		w.Write(line)
		w.WriteByte('\n')
		var e event
		if json.Unmarshal(line, &e) != nil {
			// go test prints some errors (a package that does not
			// build under -json before Go 1.24, say) as plain text.
			fmt.Fprintf(out, "%s\n", line)
			continue
		}
		key := [2]string{e.Package, e.Test}
		switch e.Action {
		case "output":
			if e.Test == "" {
				if e.Output != "PASS\n" { // go test prints only "ok" for a passing package
					fmt.Fprint(out, e.Output)
				}
			} else {
				outputs[key] = append(outputs[key], e.Output)
			}
		case "build-output":
			fmt.Fprint(out, e.Output)
		case "build-fail":
			failed = true
		case "fail":
			failed = true
			if e.Test != "" {
				fmt.Fprint(out, strings.Join(outputs[key], ""))
			}
			delete(outputs, key)
		case "pass", "skip":
			delete(outputs, key)
		}
	}
	if err := sc.Err(); err != nil {
		return err
	}
	if err := w.Flush(); err != nil {
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	if failed {
		return errFailed
	}
	return nil
}

// result is the outcome of one test, from a report's files.
type result struct {
	pkg, test, action, reason string
}

// location is the "file_test.go:12: " that t.Log and t.Skip put first.
var location = regexp.MustCompile(`^\s*[\w.-]+\.go:\d+: `)

func read(path string) ([]result, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	var rs []result
	outputs := map[[2]string][]string{}
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 64<<10), 16<<20)
	for sc.Scan() {
		var e event
		if json.Unmarshal(sc.Bytes(), &e) != nil || e.Test == "" {
			continue
		}
		key := [2]string{e.Package, e.Test}
		switch e.Action {
		case "output":
			outputs[key] = append(outputs[key], e.Output)
		case "pass", "fail", "skip":
			r := result{pkg: e.Package, test: e.Test, action: e.Action}
			if e.Action == "skip" {
				r.reason = skipReason(outputs[key])
			}
			rs = append(rs, r)
			delete(outputs, key)
		}
	}
	return rs, sc.Err()
}

// skipReason is the message of t.Skip: the last line of the test's own
// output, without its file:line.
func skipReason(lines []string) string {
	reason := ""
	for _, l := range lines {
		l = strings.TrimRight(l, "\n")
		t := strings.TrimSpace(l)
		if t == "" || strings.HasPrefix(t, "=== ") || strings.HasPrefix(t, "--- ") {
			continue
		}
		reason = location.ReplaceAllString(l, "")
	}
	if reason == "" {
		return "no reason given"
	}
	return strings.TrimSpace(reason)
}

func summarise(files []string, matrix string, out io.Writer) error {
	if len(files) == 0 {
		return errors.New("-report: no files")
	}
	var passed, subPassed, failed int
	var skips []string
	for _, path := range files {
		rs, err := read(path)
		if err != nil {
			return err
		}
		for _, r := range rs {
			switch r.action {
			case "pass":
				if strings.Contains(r.test, "/") {
					subPassed++
				} else {
					passed++
				}
			case "fail":
				failed++
			case "skip":
				skips = append(skips, fmt.Sprintf("%s %s (%s)", strings.TrimPrefix(r.pkg, "github.com/hrmgo/hrm/"), r.test, r.reason))
			}
		}
	}
	var mPassed int
	if matrix != "" {
		b, err := os.ReadFile(matrix)
		if err != nil {
			return err
		}
		for _, l := range strings.Split(strings.TrimSpace(string(b)), "\n") {
			name, rest, _ := strings.Cut(l, "\t")
			status, detail, _ := strings.Cut(rest, "\t")
			switch status {
			case "PASS":
				mPassed++
			case "FAIL":
				failed++
			case "SKIP":
				skips = append(skips, fmt.Sprintf("kernel matrix %q (%s)", name, detail))
			}
		}
	}
	for _, s := range skips {
		fmt.Fprintf(out, "SKIP %s\n", s)
	}
	line := fmt.Sprintf("tests: %d passed (and %d subtests)", passed, subPassed)
	if matrix != "" {
		line += fmt.Sprintf(", %d kernel-matrix configurations passed", mPassed)
	}
	line += fmt.Sprintf(", %d failed, %d skipped", failed, len(skips))
	if len(skips) > 0 {
		line += ": " + strings.Join(skips, "; ")
	}
	fmt.Fprintln(out, line)
	if failed > 0 {
		return errFailed
	}
	return nil
}

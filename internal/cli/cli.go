// Package cli holds what the hrm commands share about flags and output:
// one-line errors for bad flags, float flags that refuse NaN and infinity,
// and an output writer that remembers a failed write.
package cli

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"math"
	"strconv"
)

// Parse parses args into fs. A bad flag is an error of one line naming it,
// with a hint to -h, instead of the flag package's error followed by the
// whole usage (which buries the one line that matters); -h prints the
// usage to stderr and returns flag.ErrHelp.
func Parse(fs *flag.FlagSet, args []string, stderr io.Writer) error {
	usage := fs.Usage
	fs.Usage = func() {}
	fs.SetOutput(io.Discard)
	err := fs.Parse(args)
	fs.Usage = usage
	fs.SetOutput(stderr)
	if errors.Is(err, flag.ErrHelp) {
		if usage != nil {
			usage()
		} else {
			fmt.Fprintf(stderr, "Usage of %s:\n", fs.Name())
			fs.PrintDefaults()
		}
		return flag.ErrHelp
	}
	if err != nil {
		return fmt.Errorf("%v (%s -h for help)", err, fs.Name())
	}
	return nil
}

// Given reports which flags the command line set, as opposed to defaults.
func Given(fs *flag.FlagSet) map[string]bool {
	set := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { set[f.Name] = true })
	return set
}

// finite is a float64 flag that must be a finite number. strconv accepts
// "NaN" and "Inf", and NaN passes every range check written as
// `v < lo || v > hi`, so such a value would travel into a run unnoticed.
type finite float64

func (f *finite) Set(s string) error {
	v, err := strconv.ParseFloat(s, 64)
	if err != nil {
		return errors.New("not a number")
	}
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return errors.New("not a finite number")
	}
	*f = finite(v)
	return nil
}

func (f *finite) String() string { return strconv.FormatFloat(float64(*f), 'g', -1, 64) }

// FloatVar defines a float64 flag that refuses NaN and ±Inf.
func FloatVar(fs *flag.FlagSet, p *float64, name string, value float64, usage string) {
	*p = value
	fs.Var((*finite)(p), name, usage)
}

// ParseFinite parses a float that must be finite (for values that arrive
// other than as a flag of their own, such as key=value pairs).
func ParseFinite(s string) (float64, error) {
	var f finite
	err := f.Set(s)
	return float64(f), err
}

// Output wraps a command's standard output and keeps the first write error,
// so that a command checks once, at the end, that everything it printed
// arrived: on a full disk or a closed pipe each print fails, and fmt's
// prints are rarely checked one by one.
type Output struct {
	w   io.Writer
	err error
}

// NewOutput wraps w.
func NewOutput(w io.Writer) *Output { return &Output{w: w} }

// Write writes to the wrapped writer; after a failure it writes nothing
// more and returns that failure.
func (o *Output) Write(p []byte) (int, error) {
	if o.err != nil {
		return 0, o.err
	}
	n, err := o.w.Write(p)
	if err == nil && n < len(p) {
		err = io.ErrShortWrite
	}
	if err != nil {
		o.err = err
	}
	return n, err
}

// Err is the first write error, wrapped to say it was the output, or nil.
func (o *Output) Err() error {
	if o.err == nil {
		return nil
	}
	return fmt.Errorf("writing the output: %w", o.err)
}

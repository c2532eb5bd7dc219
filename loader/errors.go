package loader

import (
	"errors"
	"fmt"
)

// ErrFormat is matched (errors.Is) by every error reporting an invalid
// safetensors file or an invalid tensor passed to [WriteFile].
var ErrFormat = errors.New("invalid safetensors data")

// FormatError describes one problem with a safetensors file or with a tensor
// given to the writer.
type FormatError struct {
	// Tensor is the name of the tensor (or top-level key) concerned, if any.
	Tensor string
	// HasTensor reports whether Tensor is meaningful (a tensor name may be "").
	HasTensor bool
	// Problem says what is wrong.
	Problem string
	// Syntax is set when the header is not well-formed JSON (or not UTF-8);
	// the two header parsers word such errors differently.
	Syntax bool
}

func (e *FormatError) Error() string {
	if e.HasTensor {
		return fmt.Sprintf("safetensors: tensor %q: %s", e.Tensor, e.Problem)
	}
	return "safetensors: " + e.Problem
}

// Is reports true for [ErrFormat].
func (e *FormatError) Is(target error) bool { return target == ErrFormat }

func errorf(format string, args ...any) error {
	return &FormatError{Problem: fmt.Sprintf(format, args...)}
}

func tensorErrorf(name, format string, args ...any) error {
	return &FormatError{Tensor: name, HasTensor: true, Problem: fmt.Sprintf(format, args...)}
}

func syntaxErrorf(format string, args ...any) error {
	return &FormatError{Problem: fmt.Sprintf(format, args...), Syntax: true}
}

package runtime

import "fmt"

// Vocab names the task a model was trained for and the printable symbol of
// every token id. It is stored in the weight file so a CLI can refuse a model
// that was trained for another task.
type Vocab struct {
	Task   string   `json:"task"`
	Tokens []string `json:"tokens"`
}

// The vocabularies of the official dataset builders (spec §6).
var (
	SudokuVocab = Vocab{Task: "sudoku", Tokens: []string{"<pad>", ".", "1", "2", "3", "4", "5", "6", "7", "8", "9"}}
	MazeVocab   = Vocab{Task: "maze", Tokens: []string{"<pad>", "#", " ", "S", "G", "o"}}
	ARCVocab    = Vocab{Task: "arc", Tokens: []string{"<pad>", "<eos>", "0", "1", "2", "3", "4", "5", "6", "7", "8", "9"}}
)

// VocabFor returns the vocabulary of a known task name.
func VocabFor(task string) (Vocab, error) {
	for _, v := range []Vocab{SudokuVocab, MazeVocab, ARCVocab} {
		if v.Task == task {
			return v, nil
		}
	}
	return Vocab{}, fmt.Errorf("unknown task %q (want sudoku, maze or arc)", task)
}

// Validate checks the vocabulary against a vocab size.
func (v Vocab) Validate(vocabSize int) error {
	if v.Task == "" {
		return fmt.Errorf("vocab: empty task name")
	}
	if len(v.Tokens) != vocabSize {
		return fmt.Errorf("vocab: %d token symbols for vocab_size %d", len(v.Tokens), vocabSize)
	}
	return nil
}

# hrm — HRM inference and training on CPUs, in Go.
#
#   make run    solve a sample Sudoku with hrm-run
#   make web    the model in a browser: a static site in web/dist
#   make test   everything CI checks

GO      ?= go
BIN     := bin
CMDS    := hrm-run hrm-convert hrm-train hrm-bench hrm-analyze
# A count, not a duration: Go 1.26's coordinator can fail a duration-bound
# run with "context deadline exceeded" at the deadline when its workers are
# starved (go.dev/issue/75804, fixed in Go 1.27); it did here under load.
FUZZTIME ?= 3000x

# A pipe's status is its first failure, so `go test -json | testsummary`
# fails when go test does.
SHELL       := bash
.SHELLFLAGS := -o pipefail -c

.PHONY: all build run web test unit race vet cross fuzz kernel-matrix clean train-demo train-sudoku9 train-maze

all: build

build:
	@mkdir -p $(BIN)
	$(GO) build -o $(BIN)/ $(addprefix ./cmd/,$(CMDS))

# The demo: hrm-run's built-in int8 model solves a sample Sudoku, printing
# the grid and Q values after every ACT segment and the kernels it chose.
run: build
	$(BIN)/hrm-run -v

# The browser page: index.html, worker.js, wasm_exec.js and hrm.wasm (the
# built-in models, GOOS=js GOARCH=wasm, generic kernels). Serve the folder
# with any static file server, e.g. python3 -m http.server -d web/dist.
web:
	$(GO) run ./web/build -out web/dist

# The last line counts what passed and what was skipped, with the reason of
# each skip (scripts/testsummary): a skip must never pass for a pass.
test: vet unit race kernel-matrix fuzz cross
	@$(GO) run ./scripts/testsummary -report -matrix $(BIN)/matrix.tsv $(BIN)/unit.jsonl $(BIN)/race.jsonl

unit:
	@mkdir -p $(BIN)
	$(GO) test -count=1 -json ./... | $(GO) run ./scripts/testsummary -tee $(BIN)/unit.jsonl

# Sessions sharing one model concurrently, and the trainer's workers,
# under the race detector.
race:
	@mkdir -p $(BIN)
	$(GO) test -race -count=1 -json -run 'TestConcurrentSessions|TestHaltQ|TestResumeDeterminism' ./runtime/ ./trainer/ | $(GO) run ./scripts/testsummary -tee $(BIN)/race.jsonl

vet:
	GOARCH=amd64 $(GO) vet ./...
	GOARCH=arm64 $(GO) vet ./...
	GOOS=js GOARCH=wasm $(GO) vet ./web/wasm ./runtime ./asm ./models ./loader ./quant ./task/...

# Every shipped target builds, pure Go everywhere (CGO_ENABLED=0).
cross:
	CGO_ENABLED=0 GOOS=linux   GOARCH=arm64         $(GO) build -o /dev/null ./...
	CGO_ENABLED=0 GOOS=linux   GOARCH=arm   GOARM=6 $(GO) build -o /dev/null ./...
	CGO_ENABLED=0 GOOS=linux   GOARCH=arm   GOARM=7 $(GO) build -o /dev/null ./...
	CGO_ENABLED=0 GOOS=darwin  GOARCH=arm64         $(GO) build -o /dev/null ./...
	CGO_ENABLED=0 GOOS=windows GOARCH=amd64         $(GO) build -o /dev/null ./...
	CGO_ENABLED=0 GOOS=js      GOARCH=wasm          $(GO) build -o /dev/null ./...

# The kernels on every tier this machine can reach: purego/noasm builds,
# qemu CPU models for amd64 (Nehalem, Haswell) and arm64 (cortex-a72, a76).
kernel-matrix:
	@mkdir -p $(BIN)
	KERNEL_MATRIX_RESULTS=$(BIN)/matrix.tsv bash scripts/kernel-matrix.sh

# Short fuzzing runs of every fuzz target (their seed corpora already run
# in `unit`). FUZZTIME=1000000x make fuzz for a real session.
FUZZ_TARGETS := ./loader/:FuzzParse ./internal/jsonstr/:FuzzCheck ./task/sudoku/:FuzzParseSudoku ./task/arc/:FuzzARCTask \
	./asm/:FuzzGemmS8 ./asm/:FuzzGemmF32 ./asm/:FuzzAttention ./asm/:FuzzQuantizeRowS8Tiers ./asm/:FuzzSwiGLU ./asm/:FuzzSwiGLUBwd
fuzz:
	@set -e; for t in $(FUZZ_TARGETS); do \
		pkg=$${t%%:*}; name=$${t##*:}; \
		echo "fuzz $$name ($$pkg) for $(FUZZTIME)"; \
		$(GO) test -run '^$$' -fuzz "^$$name\$$" -fuzztime $(FUZZTIME) $$pkg > $(BIN)/fuzz.log 2>&1 || { cat $(BIN)/fuzz.log; exit 1; }; \
		tail -n 1 $(BIN)/fuzz.log; \
	done

# The learning targets, run as benchmarks (not in CI): each trains from
# scratch into runs/, printing a progress bar, evaluating on 1,000 held-out
# puzzles, and appending the curve to runs/*/metrics.jsonl.
# The built-in 4×4 model: the HRM recipe (about 11 minutes on 2 Zen 4
# cores). Every target is bounded by steps, not time, so it reproduces the
# shipped file bit for bit on the same kernel tier, whatever the machine's
# speed or thread count; the file is the int8 export of the run.
train-demo: build
	$(BIN)/hrm-train -task sudoku4 -blanks 10 -hidden 64 -heads 2 -h-layers 2 -l-layers 2 \
		-max-steps 4 -lr 1e-3 -steps 9000 -lr-min-ratio 0.1 -eval-every 1000 -seed 1 -force -out runs/sudoku4
	$(BIN)/hrm-train -export models/sudoku4.safetensors -quant int8 -from runs/sudoku4/checkpoint.safetensors

# The built-in 9×9 model: TRM-MLP (the TRM paper's Sudoku mixer) with a
# one-row prefix, trained on blanks drawn uniformly from 20..60. The result
# does not depend on the thread count; it is bit-identical on the same
# kernel tier. About 110 minutes on one Zen 4 core.
train-sudoku9: build
	$(BIN)/hrm-train -arch trm -mlp-t -task sudoku9 -blanks 60 -min-blanks 20 -hidden 64 -heads 2 \
		-l-layers 2 -h-cycles 2 -l-cycles 3 -puzzle-emb-len 1 -max-steps 16 -batch 32 -lr 1e-3 -warmup 200 \
		-lr-min-ratio 0.1 -wd 0.1 -ema 0.999 -steps 28000 -eval-every 2000 -test-size 500 -seed 1 -force -out runs/sudoku9
	$(BIN)/hrm-train -export models/sudoku9.safetensors -quant int8 -from runs/sudoku9/checkpoint.safetensors

train-maze: build
	$(BIN)/hrm-train -arch trm -mlp-t -task maze -hidden 64 -heads 4 -l-layers 2 -h-cycles 2 -l-cycles 3 \
		-puzzle-emb-len 1 -max-steps 16 -batch 32 -lr 1e-3 -warmup 200 -lr-min-ratio 0.1 -wd 0.1 -ema 0.999 \
		-steps 30000 -eval-every 2000 -test-size 500 -seed 1 -maze-path-from 1 -force -out runs/maze
	$(BIN)/hrm-train -export models/maze.safetensors -quant int8 -from runs/maze/checkpoint.safetensors

clean:
	rm -rf $(BIN) web/dist

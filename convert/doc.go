// Package convert imports official HRM checkpoints into hrm weight files:
// safetensors files with official state-dict names (F32, BF16 or F16), and
// the released layout of a torch.save zip file named "checkpoint" with
// all_config.yaml beside it. Sizes that can be read from tensor shapes are
// derived from them and cross-checked against the config; any disagreement
// is an error, because a silently wrong import produces a model that runs
// and answers wrongly.
package convert

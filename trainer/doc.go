// Package trainer trains HRM models on the CPU with the official recipe
// (spec §2-4): the one-step gradient through the last L and H updates, deep
// supervision with a persistent carry, ACT Q-learning, AdamATan2 and
// sign-SGD for puzzle embeddings.
//
// Every operation's backward is written next to its forward in ops.go, and
// ops_test.go checks each against float64 finite differences. The ops are
// generic over float32 (training) and float64 (gradient checks).
package trainer

package convert

import (
	"archive/zip"
	"bytes"
	"fmt"
	"hash/crc32"
	"io"
	"math"
	"strings"

	"github.com/hrmgo/hrm/loader"
	"github.com/nlpodyssey/gopickle/pickle"
	"github.com/nlpodyssey/gopickle/types"
)

// Limits for untrusted checkpoints. The released ARC-2 checkpoint is 2.25 GB,
// all of it one puzzle-embedding table; 1<<34 bytes leaves room.
const (
	maxPickleBytes  = 64 << 20
	maxStorageBytes = 1 << 34
)

type storageKind struct {
	name  string // torch storage class name, for errors
	dtype loader.DType
	size  int // bytes per element
}

var storageKinds = map[string]storageKind{
	"FloatStorage":    {"FloatStorage", "F32", 4},
	"BFloat16Storage": {"BFloat16Storage", "BF16", 2},
	"HalfStorage":     {"HalfStorage", "F16", 2},
}

// storageRef is what the pickle's persistent ids resolve to: the data is read
// only after the whole pickle is parsed and every reference is checked.
type storageRef struct {
	kind  storageKind
	key   string
	numel int
}

// tensorRef is the result of torch._utils._rebuild_tensor_v2.
type tensorRef struct {
	storage *storageRef
	offset  int
	size    []int
	stride  []int
}

type rebuildTensor struct{}

func (rebuildTensor) Call(args ...any) (any, error) {
	if len(args) < 4 {
		return nil, fmt.Errorf("_rebuild_tensor_v2: %d arguments", len(args))
	}
	st, ok := args[0].(*storageRef)
	off, ok2 := args[1].(int)
	size, ok3 := args[2].(*types.Tuple)
	stride, ok4 := args[3].(*types.Tuple)
	if !ok || !ok2 || !ok3 || !ok4 {
		return nil, fmt.Errorf("_rebuild_tensor_v2: unexpected argument types")
	}
	t := &tensorRef{storage: st, offset: off}
	for _, tp := range []struct {
		in  *types.Tuple
		out *[]int
	}{{size, &t.size}, {stride, &t.stride}} {
		for i := 0; i < tp.in.Len(); i++ {
			v, ok := tp.in.Get(i).(int)
			if !ok || v < 0 {
				return nil, fmt.Errorf("_rebuild_tensor_v2: bad size or stride")
			}
			*tp.out = append(*tp.out, v)
		}
	}
	return t, nil
}

// readTorchZip reads a torch.save zip archive holding a state dict of
// float tensors. It never executes pickled code: only the handful of torch
// classes a state dict uses are resolved, everything else is an error.
func readTorchZip(path string) ([]loader.Tensor, error) {
	zr, err := zip.OpenReader(path)
	if err != nil {
		return nil, fmt.Errorf("%s: not a readable torch zip checkpoint: %w", path, err)
	}
	defer zr.Close()
	records := map[string]*zip.File{}
	var pkl *zip.File
	for _, f := range zr.File {
		records[f.Name] = f
		if f.Name == "data.pkl" || strings.HasSuffix(f.Name, "/data.pkl") {
			if pkl != nil {
				return nil, fmt.Errorf("%s: more than one data.pkl", path)
			}
			pkl = f
		}
	}
	if pkl == nil {
		return nil, fmt.Errorf("%s: no data.pkl record: not a torch.save zip checkpoint", path)
	}
	if pkl.UncompressedSize64 > maxPickleBytes {
		return nil, fmt.Errorf("%s: data.pkl is %d bytes, limit %d", path, pkl.UncompressedSize64, maxPickleBytes)
	}
	prefix := strings.TrimSuffix(pkl.Name, "data.pkl")
	pklData, err := readRecord(pkl)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}

	u := pickle.NewUnpickler(bytes.NewReader(pklData))
	u.FindClass = func(module, name string) (any, error) {
		switch module + "." + name {
		case "collections.OrderedDict":
			return &types.OrderedDictClass{}, nil
		case "torch._utils._rebuild_tensor_v2":
			return rebuildTensor{}, nil
		}
		if module == "torch" {
			if k, ok := storageKinds[name]; ok {
				return k, nil
			}
		}
		return nil, fmt.Errorf("unsupported pickled class %s.%s (only float state dicts can be imported)", module, name)
	}
	storages := map[string]*storageRef{}
	u.PersistentLoad = func(id any) (any, error) {
		t, ok := id.(*types.Tuple)
		if !ok || t.Len() != 5 {
			return nil, fmt.Errorf("unexpected persistent id %v", id)
		}
		tag, _ := t.Get(0).(string)
		kind, ok1 := t.Get(1).(storageKind)
		key, ok2 := t.Get(2).(string)
		numel, ok3 := t.Get(4).(int)
		if tag != "storage" || !ok1 || !ok2 || !ok3 || numel < 0 {
			return nil, fmt.Errorf("unexpected persistent id %v", id)
		}
		if s, ok := storages[key]; ok {
			if s.kind.name != kind.name || s.numel != numel {
				return nil, fmt.Errorf("storage %s declared twice with different types or sizes", key)
			}
			return s, nil
		}
		s := &storageRef{kind: kind, key: key, numel: numel}
		storages[key] = s
		return s, nil
	}
	obj, err := u.Load()
	if err != nil {
		return nil, fmt.Errorf("%s: reading data.pkl: %w", path, err)
	}
	dict, ok := obj.(*types.OrderedDict)
	if !ok {
		return nil, fmt.Errorf("%s: data.pkl holds %T, want a state dict (OrderedDict)", path, obj)
	}
	data := map[string][]byte{}
	for key, s := range storages {
		rec := records[prefix+"data/"+key]
		if rec == nil {
			return nil, fmt.Errorf("%s: storage %s has no data record", path, key)
		}
		want := uint64(s.numel) * uint64(s.kind.size)
		if want > maxStorageBytes || rec.UncompressedSize64 != want {
			return nil, fmt.Errorf("%s: storage %s holds %d bytes, %d %s elements need %d", path, key, rec.UncompressedSize64, s.numel, s.kind.name, want)
		}
		b, err := readRecord(rec)
		if err != nil {
			return nil, fmt.Errorf("%s: storage %s: %w", path, key, err)
		}
		data[key] = b
	}
	var out []loader.Tensor
	for e := dict.List.Front(); e != nil; e = e.Next() {
		entry := e.Value.(*types.OrderedDictEntry)
		name, ok := entry.Key.(string)
		if !ok {
			return nil, fmt.Errorf("%s: state dict key %v is not a string", path, entry.Key)
		}
		t, ok := entry.Value.(*tensorRef)
		if !ok {
			return nil, fmt.Errorf("%s: state dict entry %s is %T, not a tensor", path, name, entry.Value)
		}
		lt, err := t.tensor(name, data[t.storage.key])
		if err != nil {
			return nil, fmt.Errorf("%s: tensor %s: %w", path, name, err)
		}
		out = append(out, lt)
	}
	return out, nil
}

// readRecord reads a whole zip record, whose size the caller has bounded,
// and checks it against the CRC-32 the archive records. archive/zip checks
// only a reader that reaches EOF, which reading exactly the declared size
// never does, and never a record whose recorded CRC is 0; a flipped byte in
// a storage would otherwise become a silently wrong weight.
func readRecord(f *zip.File) ([]byte, error) {
	r, err := f.Open()
	if err != nil {
		return nil, err
	}
	defer r.Close()
	b := make([]byte, f.UncompressedSize64)
	if _, err := io.ReadFull(r, b); err != nil {
		return nil, fmt.Errorf("record %s: %w", f.Name, err)
	}
	if got := crc32.ChecksumIEEE(b); got != f.CRC32 {
		return nil, fmt.Errorf("record %s: CRC-32 %08x, the archive records %08x: the file is corrupt", f.Name, got, f.CRC32)
	}
	return b, nil
}

// tensor returns the tensor as a contiguous view of its storage bytes.
func (t *tensorRef) tensor(name string, b []byte) (loader.Tensor, error) {
	n := 1
	for _, d := range t.size {
		if d != 0 && n > math.MaxInt32/d {
			return loader.Tensor{}, fmt.Errorf("shape %v too large", t.size)
		}
		n *= d
	}
	if len(t.stride) != len(t.size) {
		return loader.Tensor{}, fmt.Errorf("stride %v does not match shape %v", t.stride, t.size)
	}
	want := 1
	for i := len(t.size) - 1; i >= 0; i-- {
		if t.size[i] > 1 && t.stride[i] != want {
			return loader.Tensor{}, fmt.Errorf("non-contiguous stride %v for shape %v", t.stride, t.size)
		}
		want *= t.size[i]
	}
	if t.offset < 0 || t.offset+n > t.storage.numel {
		return loader.Tensor{}, fmt.Errorf("view [%d, %d) outside storage of %d elements", t.offset, t.offset+n, t.storage.numel)
	}
	es := t.storage.kind.size
	return loader.Tensor{Name: name, DType: t.storage.kind.dtype, Shape: t.size, Data: b[t.offset*es : (t.offset+n)*es]}, nil
}

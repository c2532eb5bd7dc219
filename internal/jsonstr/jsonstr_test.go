package jsonstr

import (
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestCheck(t *testing.T) {
	for _, c := range []struct {
		in   string
		at   int
		what string
	}{
		{`{"a":"b"}`, -1, ""},
		{`{"a\"\\\/\b\f\n\r\t":"\u00e9\ud83d\ude00x"}`, -1, ""},
		{`{"a":1,"b":[true,null,"\"\\"]}`, -1, ""},
		{`{"a":"\u00 0"}`, 6, `\u escape without four hex digits`},
		{`{"a":"\u00"}`, 6, `\u escape without four hex digits`},
		{`{"a":"\q"}`, 6, "invalid escape"},
		{"{\"a\":\"x\ty\"}", 7, "control character in a string"},
		{`{"a":"\ud800"}`, 6, "unpaired UTF-16 surrogate escape"},
		{`{"a":"\ud800\u0041"}`, 6, "unpaired UTF-16 surrogate escape"},
		{`{"a":"\udc00"}`, 6, "unpaired UTF-16 surrogate escape"},
		{`{"a":"x\`, 7, "unterminated escape"},
	} {
		at, what := Check([]byte(c.in))
		require.Equal(t, c.at, at, c.in)
		require.Equal(t, c.what, what, c.in)
		if c.at < 0 { // what Check accepts, encoding/json accepts too
			var v any
			require.NoError(t, json.Unmarshal([]byte(c.in), &v), c.in)
		}
	}
}

// FuzzCheck: every document Check passes whose other syntax encoding/json
// accepts round-trips; every document Check rejects for a bad escape or a
// control character, encoding/json rejects too.
func FuzzCheck(f *testing.F) {
	for _, s := range []string{`{"a":"b"}`, `{"a":"\u00 0"}`, `{"\ud800\udc00":"\n"}`, "\"\t\"", `"\x"`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		at, what := Check(b)
		var v any
		err := json.Unmarshal(b, &v)
		if at >= 0 && what != "unpaired UTF-16 surrogate escape" {
			require.Error(t, err, "Check rejects %q (%s at %d) but encoding/json accepts it", b, what, at)
		}
	})
}

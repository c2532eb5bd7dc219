package arcrun

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/hrmgo/hrm/task/arc"
)

func TestLimit(t *testing.T) {
	m, _ := arc.ParseColorMap("0213456789")
	vs := []Variant{{arc.Variant{Name: "a_t1_0213456789", D: 1, Map: m}, 3}, {arc.Variant{Name: "a", Map: arc.IdentityColorMap()}, 1}, {arc.Variant{Name: "a_t2_0213456789", D: 2, Map: m}, 2}}
	require.Equal(t, vs, Limit(vs, 0))
	require.Equal(t, vs, Limit(vs, 5))
	got := Limit(vs, 2)
	require.Equal(t, []int32{1, 3}, []int32{got[0].ID, got[1].ID}, "the task itself first")
}

package engine

import (
	"math/rand/v2"
	"testing"
)

func tableKey(i int) key {
	var k key
	k.a[12], k.a[13], k.a[14], k.a[15] = 10, byte(i>>16), byte(i>>8), byte(i)
	k.b[12], k.b[15] = 10, 1
	k.pa, k.pb, k.proto = uint16(i*7), 502, 6
	return k
}

// The table agrees with a Go map through random inserts, deletes and lookups, including
// deletes inside probe runs that pile up on a few home slots and runs that wrap around the end
// of the slots (7 keys keep the table at 16 slots; forced hashes choose their homes).
func TestFlowTableAgreesWithMap(t *testing.T) {
	for _, tc := range []struct {
		name string
		keys int
		hash func(k *key, i int) uint64
	}{
		{"spread", 5000, func(k *key, _ int) uint64 { return k.hash() }},
		{"clustered", 7, func(_ *key, i int) uint64 { return uint64(i%3)*2 + 1 + uint64(i)<<8 }},                // homes 1, 3, 5
		{"wrapping", 7, func(_ *key, i int) uint64 { return 13 + uint64(i%2)*2 + uint64(i)<<8 }},                // homes 13, 15
		{"one home at the end", 7, func(_ *key, i int) uint64 { return 15 + uint64(i)<<8 }},                     // home 15
		{"homes across the end", 7, func(_ *key, i int) uint64 { return uint64((14+i%4)%16) + uint64(i+1)<<8 }}, // 14, 15, 0, 1
	} {
		t.Run(tc.name, func(t *testing.T) {
			rng := rand.New(rand.NewPCG(1, 2))
			tab := newFlowTable(1)
			ref := map[key]*Flow{}
			hashOf := tc.hash
			flows := make([]*Flow, tc.keys)
			for i := range flows {
				flows[i] = &Flow{key: tableKey(i)}
				flows[i].hash = hashOf(&flows[i].key, i)
			}
			for step := 0; step < 200_000; step++ {
				i := rng.IntN(tc.keys)
				f := flows[i]
				switch op := rng.IntN(3); {
				case op == 0 && ref[f.key] == nil:
					tab.put(f, f.hash)
					ref[f.key] = f
				case op == 1 && ref[f.key] != nil:
					tab.del(f, f.hash)
					delete(ref, f.key)
				default:
					if got := tab.get(&f.key, f.hash); got != ref[f.key] {
						t.Fatalf("step %d: get(key %d) = %p, want %p", step, i, got, ref[f.key])
					}
				}
				if tab.len() != len(ref) {
					t.Fatalf("step %d: %d flows in the table, %d in the map", step, tab.len(), len(ref))
				}
			}
			for i, f := range flows {
				if got := tab.get(&f.key, f.hash); got != ref[f.key] {
					t.Fatalf("end: get(key %d) = %p, want %p", i, got, ref[f.key])
				}
			}
		})
	}
}

// Lookups of 20,000 live flows in random order, reading the flow found as the packet path
// does: the table against Go's map.
func BenchmarkFlowTable(b *testing.B) {
	const n = 20000
	keys := make([]key, n)
	tab := newFlowTable(1024)
	m := make(map[key]*Flow, 1024)
	for i := range keys {
		keys[i] = tableKey(i)
		f := &Flow{key: keys[i], hash: keys[i].hash()}
		tab.put(f, f.hash)
		m[keys[i]] = f
	}
	order := rand.New(rand.NewPCG(3, 4)).Perm(n)
	var sink int64
	defer func() { _ = sink }()
	b.Run("table", func(b *testing.B) {
		for i := 0; i < b.N; i++ {
			k := &keys[order[i%n]]
			sink += tab.get(k, k.hash()).last
		}
	})
	b.Run("map", func(b *testing.B) {
		for i := 0; i < b.N; i++ {
			sink += m[keys[order[i%n]]].last
		}
	})
}

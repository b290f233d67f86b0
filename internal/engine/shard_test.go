package engine

import (
	"fmt"
	"testing"
)

// ipv4Frame is an Ethernet/IPv4 header from src to dst, enough for shardHash.
func ipv4Frame(src, dst [4]byte) []byte {
	f := make([]byte, 14+20)
	f[12], f[13] = 0x08, 0x00
	f[14] = 0x45
	copy(f[26:30], src[:])
	copy(f[30:34], dst[:])
	return f
}

// Host pairs whose addresses differ in a byte or two, as a plant's masters and field devices
// do, spread evenly over the workers, and the same pair in both directions goes to one
// worker. The "masters" layout is the benchmark mix's Modbus one (master 10.10.0.m polls
// 10.10.x.m+12k): with plain FNV-1a sums modulo 2 every pair went to one of two workers.
func TestShardSpreadsHostPairs(t *testing.T) {
	layouts := map[string][][2][4]byte{}
	for m := byte(10); m < 16; m++ {
		for x := byte(1); x <= 5; x++ {
			for k := byte(0); k < 20; k++ {
				layouts["masters"] = append(layouts["masters"], [2][4]byte{{10, 10, 0, m}, {10, 10, x, m + 12*k}})
			}
		}
	}
	for x := byte(1); x <= 2; x++ {
		for d := 0; d < 256; d++ {
			layouts["star"] = append(layouts["star"], [2][4]byte{{10, 0, 0, 1}, {10, 0, x, byte(d)}})
		}
	}
	// The mix's own 48 pairs, two workers: neither gets fewer than a quarter.
	per := [2]int{}
	for m := byte(10); m < 16; m++ {
		for k := byte(0); k < 8; k++ {
			per[shardOf(shardHash(1, ipv4Frame([4]byte{10, 10, 0, m}, [4]byte{10, 10, 1, m + 12*k})), 2)]++
		}
	}
	if per[0] < 12 || per[1] < 12 {
		t.Errorf("the mix's 48 Modbus pairs over two workers: %v", per)
	}
	for name, pairs := range layouts {
		for _, n := range []int{2, 3, 4} {
			t.Run(fmt.Sprintf("%s/%d", name, n), func(t *testing.T) {
				per := make([]int, n)
				for _, p := range pairs {
					w := shardOf(shardHash(1, ipv4Frame(p[0], p[1])), n)
					if back := shardOf(shardHash(1, ipv4Frame(p[1], p[0])), n); back != w {
						t.Fatalf("%v→%v on worker %d, %v→%v on worker %d", p[0], p[1], w, p[1], p[0], back)
					}
					per[w]++
				}
				// Within 30% of an even share: binomial noise on 512-600 pairs is a few
				// percent; a hash that clumps misses by far more.
				for w, c := range per {
					if even := len(pairs) / n; c < even*7/10 || c > even*13/10 {
						t.Errorf("worker %d got %d of %d host pairs: %v", w, c, len(pairs), per)
					}
				}
			})
		}
	}
}

// BenchmarkShardHash is the reader's per-packet cost of choosing a worker (IPv4 in Ethernet).
func BenchmarkShardHash(b *testing.B) {
	frames := make([][]byte, 256)
	for i := range frames {
		frames[i] = ipv4Frame([4]byte{10, 10, 0, byte(i)}, [4]byte{10, 10, byte(i % 7), byte(i * 13)})
	}
	var sink uint32
	for i := 0; b.Loop(); i++ {
		sink += shardHash(1, frames[i&255])
	}
	if sink == 1 {
		b.Log(sink)
	}
}

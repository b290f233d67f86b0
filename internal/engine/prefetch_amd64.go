package engine

// prefetch asks the CPU to bring the cache line at p closer (PREFETCHT0). It never faults.
//
//go:noescape
func prefetch(p *byte)

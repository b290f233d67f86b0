package smb

import "math"

// File actions as Zeek's SMB::Action enum spells them in smb_files.log.
const (
	actOpen      = "SMB::FILE_OPEN"
	actRead      = "SMB::FILE_READ"
	actWrite     = "SMB::FILE_WRITE"
	actDelete    = "SMB::FILE_DELETE"
	actRename    = "SMB::FILE_RENAME"
	actPrintOpen = "SMB::PRINT_OPEN"
)

// logFile writes one smb_files.log record for f unless the same (action, name, path, size,
// times but the access time) was logged in the last three minutes, as Zeek's
// SMB::write_file_log does with its recent_files set. ts is the record time (the request).
func (p *parser) logFile(ts int64, action string, f *fileEntry, withPath bool, prev []byte) {
	h := fnvStr(fnvOffset, action)
	h = fnvBytes(h, f.name)
	h = fnvBytes(h, []byte{0})
	if withPath && f.hasPath {
		h = fnvBytes(h, f.path)
	}
	h = fnvBytes(h, prev)
	var b [40]byte
	putU64(b[0:], f.size)
	if f.hasTimes {
		putU64(b[8:], math.Float64bits(f.times[0]))
		putU64(b[16:], math.Float64bits(f.times[2]))
		putU64(b[24:], math.Float64bits(f.times[3]))
		b[32] = 1
	}
	if p.seenRecently(fnvBytes(h, b[:])) {
		return
	}
	now := p.env.TS
	p.env.TS = ts
	r := p.env.Log(logFiles).Str("action", action)
	if withPath && f.hasPath {
		r.Bytes("path", f.path)
	}
	r.Bytes("name", f.name).Uint("size", f.size)
	if len(prev) > 0 {
		r.Bytes("prev_name", prev)
	}
	if f.hasTimes {
		r.Float("times.modified", f.times[0])
		r.Float("times.accessed", f.times[1])
		r.Float("times.created", f.times[2])
		r.Float("times.changed", f.times[3])
	}
	r.Done()
	p.env.TS = now
}

func putU64(b []byte, v uint64) {
	for i := 0; i < 8; i++ {
		b[i] = byte(v >> (8 * i))
	}
}

// seenRecently reports whether h was recorded less than recentTTL ago, and records it.
func (p *parser) seenRecently(h uint64) bool {
	now := p.env.TS
	oldest := 0
	for i := 0; i < p.nRecent; i++ {
		e := &p.recent[i]
		if e.h == h && now-e.ts < recentTTL {
			e.ts = now
			return true
		}
		if e.ts < p.recent[oldest].ts {
			oldest = i
		}
	}
	if p.nRecent < maxRecent {
		oldest = p.nRecent
		p.nRecent++
	}
	p.recent[oldest].h, p.recent[oldest].ts = h, now
	return false
}

// logMapping writes one smb_mapping.log record for t.
func (p *parser) logMapping(ts int64, t *treeEntry) {
	now := p.env.TS
	p.env.TS = ts
	r := p.env.Log(logMapping).Bytes("path", t.path)
	if len(t.service) > 0 {
		r.Bytes("service", t.service)
	}
	if len(t.nfs) > 0 {
		r.Bytes("native_file_system", t.nfs)
	}
	r.Str("share_type", shareTypeName(t.shareType)).Done()
	p.env.TS = now
}

// FNV-1a, inlined so that hashing does not allocate.
const (
	fnvOffset = 14695981039346656037
	fnvPrime  = 1099511628211
)

func fnvBytes(h uint64, b []byte) uint64 {
	for _, c := range b {
		h = (h ^ uint64(c)) * fnvPrime
	}
	return h
}

func fnvStr(h uint64, s string) uint64 {
	for i := 0; i < len(s); i++ {
		h = (h ^ uint64(s[i])) * fnvPrime
	}
	return h
}

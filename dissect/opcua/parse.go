package opcua

import "github.com/quietwire/quietwire/dissect"

// header is the 8-byte message header shared by every OPC UA TCP message.
// Spec: Part 6 §7.1.2.2 Table 50 and §6.7.2.2 Table 41.
type header struct {
	mt    uint32 // message type, the three ASCII bytes little-endian
	chunk byte   // 'F', 'C' or 'A'
	size  int    // whole message size, header included
}

// headerProblem says why 8 bytes cannot start an OPC UA message.
type headerProblem uint8

const (
	hdrOK headerProblem = iota
	hdrShort
	hdrType
	hdrChunk
	hdrSize
)

// minSize is the smallest valid size of a message of type mt.
func minSize(mt uint32) int {
	switch mt {
	case mtHEL:
		return hdrLen + 20 + 4 // five UInt32 and the endpoint URL length
	case mtACK:
		return hdrLen + 20
	case mtERR:
		return hdrLen + 4 + 4 // error code and reason length
	case mtRHE:
		return hdrLen + 4 + 4 // server URI and endpoint URL lengths
	case mtOPN:
		return hdrLen + 4 + 12 + 8 // channel id, three lengths, sequence header
	case mtMSG, mtCLO:
		return hdrLen + 4 + 4 + 8 // channel id, token id, sequence header
	}
	return 0
}

// parseHeader decodes the message header at the start of b.
func parseHeader(b []byte) (header, headerProblem) {
	if len(b) < hdrLen {
		return header{}, hdrShort
	}
	h := header{
		mt:    uint32(b[0]) | uint32(b[1])<<8 | uint32(b[2])<<16,
		chunk: b[3],
		size:  int(uint32(b[4]) | uint32(b[5])<<8 | uint32(b[6])<<16 | uint32(b[7])<<24),
	}
	ms := minSize(h.mt)
	if ms == 0 {
		return h, hdrType
	}
	switch h.chunk {
	case chunkFinal:
	case chunkIntermediate, chunkAbort:
		// Only secure conversation messages are chunked. Spec: Part 6 §7.1.2.2.
		if h.mt != mtOPN && h.mt != mtMSG && h.mt != mtCLO {
			return h, hdrChunk
		}
	default:
		return h, hdrChunk
	}
	if h.size < ms || h.size > maxChunkSize {
		return h, hdrSize
	}
	return h, hdrOK
}

// typePrefixOK reports whether the first n (< 4) bytes of b can begin a known message type
// and chunk type.
func typePrefixOK(b []byte) bool {
	names := [...]string{"HEL", "ACK", "ERR", "RHE", "OPN", "MSG", "CLO"}
	for _, nm := range names {
		ok := true
		for i := 0; i < len(b) && i < 3; i++ {
			if b[i] != nm[i] {
				ok = false
				break
			}
		}
		if ok {
			if len(b) >= 4 && b[3] != chunkFinal && b[3] != chunkIntermediate && b[3] != chunkAbort {
				return false
			}
			return true
		}
	}
	return false
}

// Probe matches a direction that starts with an OPC UA TCP message header: a known message
// type ("HEL", "ACK", "OPN", "MSG", "CLO", "ERR", "RHE"), a chunk type F/C/A and a plausible
// little-endian size. A HEL or ACK must also carry protocol version 0 and buffer sizes of at
// least 8192 bytes (Part 6 §7.1.2.3), so that text protocols starting with "HELO"-like words
// do not match.
func Probe(dir dissect.Dir, b []byte) dissect.Verdict {
	if len(b) < hdrLen {
		if !typePrefixOK(b) {
			return dissect.NoMatch
		}
		return dissect.NeedMore
	}
	h, prob := parseHeader(b)
	if prob != hdrOK {
		return dissect.NoMatch
	}
	if h.mt == mtHEL || h.mt == mtACK {
		if len(b) < hdrLen+12 {
			return dissect.NeedMore
		}
		le := func(o int) uint32 {
			return uint32(b[o]) | uint32(b[o+1])<<8 | uint32(b[o+2])<<16 | uint32(b[o+3])<<24
		}
		if le(8) != 0 || le(12) < 8192 || le(16) < 8192 {
			return dissect.NoMatch
		}
	}
	return dissect.Match
}

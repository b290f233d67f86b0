package opcua

import (
	"math"

	"github.com/quietwire/quietwire/dissect/wire"
)

// Decoders of the OPC UA Binary encoding built-in types. Spec: Part 6 §5.2. Every decoder
// reads through a sticky-error wire.Reader: a truncated or impossible field sets the error
// and later reads return zero values. Slices alias the input.

// forceErr marks r as failed (an impossible length or count).
func forceErr(r *wire.Reader) { r.Bytes(r.Len() + 1) }

// readI32 reads a little-endian Int32.
func readI32(r *wire.Reader) int32 { return int32(r.U32LE()) }

// readString reads a String or ByteString: Int32 length, -1 for null. Spec: Part 6 §5.2.2.4.
// null reports a null value (length -1); a negative length other than -1 is malformed.
func readString(r *wire.Reader) (s []byte, null bool) {
	n := readI32(r)
	if n == -1 {
		return nil, true
	}
	if n < 0 || int(n) > r.Len() {
		forceErr(r)
		return nil, true
	}
	return r.Bytes(int(n)), false
}

// readCount reads an array length (Int32, -1 for null) and caps it by the bytes left, each
// element taking at least one byte.
func readCount(r *wire.Reader) int {
	n := readI32(r)
	if n <= 0 {
		if n < -1 {
			forceErr(r)
		}
		return 0
	}
	if int(n) > r.Len() {
		forceErr(r)
		return 0
	}
	return int(n)
}

// nodeID is a decoded NodeId or ExpandedNodeId. Spec: Part 6 §5.2.2.9-10.
type nodeID struct {
	mask      byte // encoding byte as sent (expanded flags included)
	ns        uint16
	num       uint32
	str       []byte // String or ByteString identifier
	guid      [16]byte
	nsURI     []byte
	server    uint32
	hasURI    bool
	hasServer bool
}

// NodeId encodings (low six bits of the encoding byte).
const (
	nidTwoByte  = 0
	nidFourByte = 1
	nidNumeric  = 2
	nidString   = 3
	nidGUID     = 4
	nidOpaque   = 5
)

func (n *nodeID) kind() byte { return n.mask & 0x3f }

// readNodeID reads a NodeId; expanded allows the ExpandedNodeId flags (0x80 namespace URI,
// 0x40 server index). An unknown encoding sets the reader's error.
func readNodeID(r *wire.Reader, n *nodeID, expanded bool) {
	*n = nodeID{mask: r.U8()}
	if !expanded && n.mask&0xc0 != 0 {
		forceErr(r)
		return
	}
	switch n.kind() {
	case nidTwoByte:
		n.num = uint32(r.U8())
	case nidFourByte:
		n.ns = uint16(r.U8())
		n.num = uint32(r.U16LE())
	case nidNumeric:
		n.ns = r.U16LE()
		n.num = r.U32LE()
	case nidString:
		n.ns = r.U16LE()
		n.str, _ = readString(r)
	case nidGUID:
		n.ns = r.U16LE()
		copy(n.guid[:], r.Bytes(16))
	case nidOpaque:
		n.ns = r.U16LE()
		n.str, _ = readString(r)
	default:
		forceErr(r)
		return
	}
	if n.mask&0x80 != 0 {
		n.nsURI, _ = readString(r)
		n.hasURI = true
	}
	if n.mask&0x40 != 0 {
		n.server = r.U32LE()
		n.hasServer = true
	}
}

// skipNodeID reads and drops a NodeId.
func skipNodeID(r *wire.Reader, expanded bool) {
	var n nodeID
	readNodeID(r, &n, expanded)
}

// qualifiedName is a QualifiedName. Spec: Part 6 §5.2.2.13.
type qualifiedName struct {
	ns   uint16
	name []byte
}

func readQualifiedName(r *wire.Reader, q *qualifiedName) {
	q.ns = r.U16LE()
	q.name, _ = readString(r)
}

// localizedText is a LocalizedText. Spec: Part 6 §5.2.2.14.
type localizedText struct {
	mask      byte
	locale    []byte
	text      []byte
	hasLocale bool
	hasText   bool
}

func readLocalizedText(r *wire.Reader, t *localizedText) {
	*t = localizedText{mask: r.U8()}
	if t.mask&0x01 != 0 {
		t.locale, _ = readString(r)
		t.hasLocale = true
	}
	if t.mask&0x02 != 0 {
		t.text, _ = readString(r)
		t.hasText = true
	}
}

// extObject is an ExtensionObject header and body. Spec: Part 6 §5.2.2.15.
type extObject struct {
	typeID   nodeID
	encoding byte // 0 no body, 1 ByteString body, 2 XmlElement body
	body     []byte
}

func readExtObject(r *wire.Reader, e *extObject) {
	readNodeID(r, &e.typeID, false)
	e.encoding = r.U8()
	e.body = nil
	switch e.encoding {
	case 0:
	case 1, 2:
		e.body, _ = readString(r)
	default:
		forceErr(r)
	}
}

// readDateTime reads a DateTime (Int64, 100 ns ticks since 1601-01-01 UTC) and returns Unix
// seconds. Spec: Part 6 §5.2.2.5.
func readDateTime(r *wire.Reader) float64 {
	v := int64(r.U64LE())
	const epochDiff = 116444736000000000 // ticks between 1601-01-01 and 1970-01-01
	return float64(v-epochDiff) / 1e7
}

// readDouble reads an IEEE 754 Double.
func readDouble(r *wire.Reader) float64 { return math.Float64frombits(r.U64LE()) }

// skipDiagInfo reads and drops a DiagnosticInfo, returning its encoding mask.
// Spec: Part 6 §5.2.2.12.
func skipDiagInfo(r *wire.Reader, depth int) byte {
	if depth > maxDepth {
		forceErr(r)
		return 0
	}
	m := r.U8()
	if m&0x01 != 0 {
		r.Skip(4) // symbolic id
	}
	if m&0x02 != 0 {
		r.Skip(4) // namespace uri
	}
	if m&0x08 != 0 {
		r.Skip(4) // localized text
	}
	if m&0x04 != 0 {
		r.Skip(4) // locale
	}
	if m&0x10 != 0 {
		readString(r) // additional info
	}
	if m&0x20 != 0 {
		r.Skip(4) // inner status code
	}
	if m&0x40 != 0 {
		skipDiagInfo(r, depth+1)
	}
	return m
}

// skipScalar reads and drops one value of built-in type t.
func skipScalar(r *wire.Reader, t byte, depth int) {
	switch t {
	case btBoolean, btSByte, btByte:
		r.Skip(1)
	case btInt16, btUInt16:
		r.Skip(2)
	case btInt32, btUInt32, btFloat, btStatusCode:
		r.Skip(4)
	case btInt64, btUInt64, btDouble, btDateTime:
		r.Skip(8)
	case btString, btByteString, btXMLElement:
		readString(r)
	case btGUID:
		r.Skip(16)
	case btNodeID:
		skipNodeID(r, false)
	case btExpandedNodeID:
		skipNodeID(r, true)
	case btQualifiedName:
		var q qualifiedName
		readQualifiedName(r, &q)
	case btLocalizedText:
		var l localizedText
		readLocalizedText(r, &l)
	case btExtensionObject:
		var e extObject
		readExtObject(r, &e)
	case btDataValue:
		var dv dataValue
		readDataValue(r, &dv, depth+1)
	case btVariant:
		skipVariant(r, depth+1)
	case btDiagnosticInfo:
		skipDiagInfo(r, depth+1)
	default:
		forceErr(r)
	}
}

// skipVariant reads and drops a Variant, returning its encoding byte. Spec: Part 6 §5.2.2.16.
func skipVariant(r *wire.Reader, depth int) byte {
	if depth > maxDepth {
		forceErr(r)
		return 0
	}
	m := r.U8()
	t := m & 0x3f
	if m == 0 {
		return 0 // null variant
	}
	if m&0x80 != 0 {
		n := readCount(r)
		for i := 0; i < n && r.Err() == nil; i++ {
			skipScalar(r, t, depth)
		}
		if m&0x40 != 0 {
			d := readCount(r)
			r.Skip(4 * d)
		}
		return m
	}
	skipScalar(r, t, depth)
	return m
}

// dataValue is a DataValue without its value. Spec: Part 6 §5.2.2.17.
type dataValue struct {
	mask        byte
	variantMask byte
	status      uint32
	srcTS       float64
	srcPico     uint16
	serverTS    float64
	serverPico  uint16
}

func readDataValue(r *wire.Reader, dv *dataValue, depth int) {
	*dv = dataValue{mask: r.U8()}
	if dv.mask&0x01 != 0 {
		dv.variantMask = skipVariant(r, depth+1)
	}
	if dv.mask&0x02 != 0 {
		dv.status = r.U32LE()
	}
	if dv.mask&0x04 != 0 {
		dv.srcTS = readDateTime(r)
	}
	if dv.mask&0x10 != 0 {
		dv.srcPico = r.U16LE()
	}
	if dv.mask&0x08 != 0 {
		dv.serverTS = readDateTime(r)
	}
	if dv.mask&0x20 != 0 {
		dv.serverPico = r.U16LE()
	}
}

// appendGUID appends g as ICSNPP and the spec print it: Data1-Data2-Data3-Data4[0:2]-Data4[2:8]
// with the first three fields little-endian on the wire.
func appendGUID(b []byte, g *[16]byte) []byte {
	const digits = "0123456789abcdef"
	hx := func(b []byte, c byte) []byte { return append(b, digits[c>>4], digits[c&15]) }
	for i := 3; i >= 0; i-- {
		b = hx(b, g[i])
	}
	b = append(b, '-')
	b = hx(b, g[5])
	b = hx(b, g[4])
	b = append(b, '-')
	b = hx(b, g[7])
	b = hx(b, g[6])
	b = append(b, '-')
	b = hx(b, g[8])
	b = hx(b, g[9])
	b = append(b, '-')
	for i := 10; i < 16; i++ {
		b = hx(b, g[i])
	}
	return b
}

// appendHexTrunc appends "0x" and the hex of the first hexMax bytes of v, then "..." when v
// is longer: ICSNPP's rendering of nonces, certificates and signatures.
func appendHexTrunc(b []byte, v []byte) []byte {
	const digits = "0123456789abcdef"
	b = append(b, '0', 'x')
	n := len(v)
	if n > hexMax {
		n = hexMax
	}
	for _, c := range v[:n] {
		b = append(b, digits[c>>4], digits[c&15])
	}
	if len(v) > hexMax {
		b = append(b, "..."...)
	}
	return b
}

package smb

import (
	_ "embed"
	"encoding/hex"
	"strings"
)

// rpcInterfacesText is the interface table: UUID, endpoint name and operation names by
// opnum (see the file's header for the format).
//
//go:embed rpc_interfaces.txt
var rpcInterfacesText string

// rpcIface is one DCE/RPC interface known by UUID.
type rpcIface struct {
	name    string
	ops     []string        // by opnum; "" when unnamed
	ignored map[uint16]bool // operations not logged by default (Zeek's ignored_operations)
	risky   map[uint16]bool // operations reported as events (remote execution, persistence, credential access)
}

var (
	rpcByUUID = map[[16]byte]*rpcIface{} // keyed by the UUID in wire (little-endian) order
	rpcByPipe = map[string][16]byte{}    // lower-case pipe name → most common interface
)

func init() { loadRPCTable(rpcInterfacesText) }

// loadRPCTable parses the embedded table. It panics on a malformed line: the table is part
// of the source and a test covers it.
func loadRPCTable(text string) {
	byName := map[string]*rpcIface{}
	for _, line := range strings.Split(text, "\n") {
		f := strings.Fields(line)
		if len(f) == 0 || strings.HasPrefix(f[0], "#") {
			continue
		}
		switch f[0] {
		case "pipe":
			u, ok := parseUUID(f[2])
			if !ok || len(f) != 3 {
				panic("smb: bad pipe line " + line)
			}
			rpcByPipe[f[1]] = u
		case "ignore", "event":
			ifc := byName[f[1]]
			if ifc == nil {
				panic("smb: " + f[0] + " line for unknown interface " + line)
			}
			set := map[uint16]bool{}
			for _, op := range f[2:] {
				found := false
				for i, name := range ifc.ops {
					if name == op {
						set[uint16(i)] = true
						found = true
					}
				}
				if !found {
					panic("smb: unknown operation " + op + " in " + line)
				}
			}
			if f[0] == "ignore" {
				ifc.ignored = set
			} else {
				ifc.risky = set
			}
		default:
			u, ok := parseUUID(f[0])
			if !ok || len(f) < 2 {
				panic("smb: bad interface line " + line)
			}
			ifc := &rpcIface{name: f[1]}
			for _, op := range f[2:] {
				if op == "-" {
					op = ""
				}
				ifc.ops = append(ifc.ops, op)
			}
			rpcByUUID[u] = ifc
			byName[ifc.name] = ifc
		}
	}
}

// parseUUID turns "12345778-1234-abcd-ef00-0123456789ab" into its 16 bytes in DCE/RPC
// little-endian wire order (the first three fields byte-swapped).
func parseUUID(s string) ([16]byte, bool) {
	var u [16]byte
	b, err := hex.DecodeString(strings.ReplaceAll(s, "-", ""))
	if err != nil || len(b) != 16 || len(s) != 36 {
		return u, false
	}
	u[0], u[1], u[2], u[3] = b[3], b[2], b[1], b[0]
	u[4], u[5] = b[5], b[4]
	u[6], u[7] = b[7], b[6]
	copy(u[8:], b[8:])
	return u, true
}

// appendUUID appends the canonical text form of a wire-order UUID.
func appendUUID(dst []byte, u [16]byte) []byte {
	const digits = "0123456789abcdef"
	order := [16]int{3, 2, 1, 0, 5, 4, 7, 6, 8, 9, 10, 11, 12, 13, 14, 15}
	for i, j := range order {
		if i == 4 || i == 6 || i == 8 || i == 10 {
			dst = append(dst, '-')
		}
		dst = append(dst, digits[u[j]>>4], digits[u[j]&15])
	}
	return dst
}

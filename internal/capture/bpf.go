package capture

import (
	"bufio"
	"bytes"
	"fmt"
	"os/exec"
	"strconv"
	"strings"

	"golang.org/x/net/bpf"
)

// CompileBPF compiles a tcpdump filter expression for Ethernet frames.
//
// The libpcap filter language has no pure-Go compiler worth trusting, and linking libpcap
// would make the binary depend on it; so the expression is compiled by tcpdump ("-ddd" prints
// the classic BPF program as decimal numbers), which must be installed for --bpf to work.
// The program is then checked by golang.org/x/net/bpf before it goes to the kernel.
func CompileBPF(expr string) ([]bpf.RawInstruction, error) {
	path, err := exec.LookPath("tcpdump")
	if err != nil {
		return nil, fmt.Errorf("capture: --bpf needs tcpdump to compile %q (apt-get install tcpdump): %w", expr, err)
	}
	out, err := exec.Command(path, "-y", "EN10MB", "-ddd", expr).CombinedOutput()
	if err != nil {
		return nil, fmt.Errorf("capture: bad BPF expression %q: %s", expr, strings.TrimSpace(string(out)))
	}
	sc := bufio.NewScanner(bytes.NewReader(out))
	if !sc.Scan() {
		return nil, fmt.Errorf("capture: tcpdump printed no program for %q", expr)
	}
	n, err := strconv.Atoi(strings.TrimSpace(sc.Text()))
	if err != nil || n <= 0 || n > 4096 {
		return nil, fmt.Errorf("capture: tcpdump printed %q for %q", sc.Text(), expr)
	}
	prog := make([]bpf.RawInstruction, 0, n)
	for sc.Scan() {
		f := strings.Fields(sc.Text())
		if len(f) != 4 {
			return nil, fmt.Errorf("capture: unexpected tcpdump line %q", sc.Text())
		}
		var v [4]uint64
		for i := range f {
			if v[i], err = strconv.ParseUint(f[i], 10, 32); err != nil {
				return nil, fmt.Errorf("capture: unexpected tcpdump line %q", sc.Text())
			}
		}
		prog = append(prog, bpf.RawInstruction{Op: uint16(v[0]), Jt: uint8(v[1]), Jf: uint8(v[2]), K: uint32(v[3])})
	}
	if len(prog) != n {
		return nil, fmt.Errorf("capture: tcpdump announced %d instructions, printed %d", n, len(prog))
	}
	if _, ok := bpf.Disassemble(prog); !ok {
		return nil, fmt.Errorf("capture: BPF program for %q does not disassemble", expr)
	}
	return prog, nil
}

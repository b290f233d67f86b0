package testutil

import (
	"os"
	"path/filepath"
	"testing"
)

func TestOracleCount(t *testing.T) {
	dir := t.TempDir()
	pcap := filepath.Join(dir, "x.pcap")
	if err := os.Mkdir(pcap+".oracle", 0o755); err != nil {
		t.Fatal(err)
	}
	tsv := "frame.number\tproto.type\tproto.len\n" +
		"1\t5\t10\n" +
		"2\t\t\n" + // a frame without the protocol
		"3\t1,3,4\t8,8\n" + // three PDUs in one frame
		"4\t2,,\n" + // empty values do not count
		"5\n" // a short line
	if err := os.WriteFile(filepath.Join(pcap+".oracle", "proto.tsv"), []byte(tsv), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		oracle, field string
		want          int
	}{
		{"proto", "proto.type", 5},
		{"proto", "proto.len", 3},
		{"proto", "frame.number", 5},
		{"proto", "proto.missing", -1}, // no such column
		{"other", "proto.type", -1},    // no such oracle
	} {
		if got := OracleCount(pcap, tc.oracle, tc.field); got != tc.want {
			t.Errorf("OracleCount(%s, %s) = %d, want %d", tc.oracle, tc.field, got, tc.want)
		}
	}
}

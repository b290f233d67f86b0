package store

import (
	"context"
	"testing"

	"github.com/quietwire/quietwire/dissect"
	"github.com/quietwire/quietwire/internal/detect"
)

func TestPruneAlerts(t *testing.T) {
	st, err := Open(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	ctx := context.Background()
	ev := []dissect.EvidencePacket{{TS: 1, LinkType: 1, WireLen: 100, Data: make([]byte, 100)}}
	as := []*detect.Alert{
		{ID: "Aold", Site: "s", First: 1, Last: 10, Status: "New", Evidence: ev},
		{ID: "Amid", Site: "s", First: 1, Last: 200, Status: "New", Evidence: ev},
		{ID: "Anew", Site: "s", First: 1, Last: 300, Status: "New", Evidence: ev},
		{ID: "Bold", Site: "other", First: 1, Last: 10, Status: "New"},
	}
	if err := st.SaveAlerts(ctx, as); err != nil {
		t.Fatal(err)
	}
	// One pcap is 24 + 16 + 100 bytes: a budget of 200 keeps the newest only.
	deleted, stripped, err := st.PruneAlerts(ctx, "s", 100, 200)
	if err != nil || deleted != 1 || stripped != 1 {
		t.Fatalf("deleted %d stripped %d: %v", deleted, stripped, err)
	}
	left, _ := st.LoadAlerts(ctx, "")
	if len(left) != 3 {
		t.Fatalf("%d alerts left", len(left))
	}
	if p, _ := st.AlertPcap(ctx, "Anew"); len(p) == 0 {
		t.Fatal("newest evidence stripped")
	}
	if p, _ := st.AlertPcap(ctx, "Amid"); len(p) != 0 {
		t.Fatal("older evidence kept past the budget")
	}
	if _, err := st.AlertPcap(ctx, "Aold"); err == nil {
		t.Fatal("expired alert still there")
	}
}

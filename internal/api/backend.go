package api

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"sort"
	"sync"
	"time"

	"github.com/quietwire/quietwire/internal/detect"
	"github.com/quietwire/quietwire/internal/engine"
	"github.com/quietwire/quietwire/internal/inventory"
	"github.com/quietwire/quietwire/internal/store"
)

// Backend is where the API reads and changes data. It knows nothing of users: the Server
// checks roles and sites before calling it. Every change must be committed to durable
// storage before the method returns.
type Backend interface {
	Sites(ctx context.Context) ([]string, error)
	// Inventory returns the site's assembled inventory (empty when the site has none).
	Inventory(ctx context.Context, site string) (*inventory.Snapshot, error)
	// SetDeviceUser sets user-owned fields of devices of one site (device id → field → value;
	// an empty value clears the field). All or nothing.
	SetDeviceUser(ctx context.Context, site string, rows map[string]map[string]string) error
	// Alerts returns a site's alerts ("" for every site).
	Alerts(ctx context.Context, site string) ([]*detect.Alert, error)
	// Alert returns one alert or store.ErrNotFound.
	Alert(ctx context.Context, id string) (*detect.Alert, error)
	UpdateAlert(ctx context.Context, id, status, user, comment string, now int64) (*detect.Alert, error)
	// LearnAlert adds the alert's cause to its site's baseline and marks it Learned.
	LearnAlert(ctx context.Context, id string, now int64) (*detect.Alert, error)
	AlertPcap(ctx context.Context, id string) ([]byte, error)
	// Baseline returns the site's baseline (nil when none).
	Baseline(ctx context.Context, site string) (*detect.Baseline, error)
	ImportBaseline(ctx context.Context, b *detect.Baseline, now int64) error
	// Engine returns the pipeline's counters (nil when no pipeline runs in this process).
	Engine(ctx context.Context) (*engine.Summary, error)
	// Store returns the store (for accounts, audit and stats).
	Store() *store.Store
	// Mode is "live" (a pipeline runs in this process) or "store".
	Mode() string
}

// errNotLearnable is returned by LearnAlert when the alert has nothing to learn.
var errNotLearnable = errors.New("nothing to learn")

// StoreBackend reads the SQLite store on every request: for `quietwire serve --data DIR`
// beside (or after) an analyze or sensor process writing the same store.
type StoreBackend struct {
	st *store.Store
	// SummaryKey, when set, names a settings row holding an engine summary as JSON (written
	// by the process that runs the pipeline).
	mu sync.Mutex // serialises read-modify-write of alerts and baselines
}

// NewStoreBackend returns a backend over st.
func NewStoreBackend(st *store.Store) *StoreBackend { return &StoreBackend{st: st} }

func (b *StoreBackend) Store() *store.Store { return b.st }
func (b *StoreBackend) Mode() string        { return "store" }

func (b *StoreBackend) Sites(ctx context.Context) ([]string, error) {
	s, err := b.st.Sites()
	if err != nil {
		return nil, err
	}
	bs, err := b.st.BaselineSites(ctx)
	if err != nil {
		return nil, err
	}
	return mergeSorted(s, bs), nil
}

func mergeSorted(a, b []string) []string {
	m := map[string]bool{}
	for _, x := range append(append([]string(nil), a...), b...) {
		m[x] = true
	}
	out := make([]string, 0, len(m))
	for x := range m {
		out = append(out, x)
	}
	sort.Strings(out)
	return out
}

func (b *StoreBackend) Inventory(ctx context.Context, site string) (*inventory.Snapshot, error) {
	st, err := b.st.LoadInventory(ctx, site)
	if err != nil {
		return nil, err
	}
	inv := inventory.New(inventory.Config{Site: site})
	inv.Import(st)
	return inv.Snapshot(), nil
}

func (b *StoreBackend) SetDeviceUser(ctx context.Context, site string, rows map[string]map[string]string) error {
	return b.st.SetDevicesUser(ctx, site, rows)
}

func (b *StoreBackend) Alerts(ctx context.Context, site string) ([]*detect.Alert, error) {
	return b.st.LoadAlerts(ctx, site)
}

func (b *StoreBackend) Alert(ctx context.Context, id string) (*detect.Alert, error) {
	return b.st.LoadAlert(ctx, id)
}

func (b *StoreBackend) UpdateAlert(ctx context.Context, id, status, user, comment string, now int64) (*detect.Alert, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	a, err := b.st.LoadAlert(ctx, id)
	if err != nil {
		return nil, err
	}
	d := detect.New(detect.Config{Site: a.Site}, nil)
	d.LoadAlerts([]*detect.Alert{a})
	if err := d.SetStatus(id, status, user, comment, now); err != nil {
		return nil, err
	}
	if err := b.st.SaveAlerts(ctx, []*detect.Alert{a}); err != nil {
		return nil, err
	}
	return a, nil
}

func (b *StoreBackend) LearnAlert(ctx context.Context, id string, now int64) (*detect.Alert, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	a, err := b.st.LoadAlert(ctx, id)
	if err != nil {
		return nil, err
	}
	base, err := b.st.LoadBaseline(ctx, a.Site)
	if err != nil {
		return nil, err
	}
	if base == nil {
		base = detect.NewBaseline(a.Site)
	}
	d := detect.New(detect.Config{Site: a.Site}, base)
	d.LoadAlerts([]*detect.Alert{a})
	if err := d.Learn(id); err != nil {
		return nil, fmt.Errorf("%w: %v", errNotLearnable, err)
	}
	if err := b.st.SaveLearned(ctx, base, []*detect.Alert{a}, now); err != nil {
		return nil, err
	}
	return a, nil
}

func (b *StoreBackend) AlertPcap(ctx context.Context, id string) ([]byte, error) {
	return b.st.AlertPcap(ctx, id)
}

func (b *StoreBackend) Baseline(ctx context.Context, site string) (*detect.Baseline, error) {
	return b.st.LoadBaseline(ctx, site)
}

func (b *StoreBackend) ImportBaseline(ctx context.Context, base *detect.Baseline, now int64) error {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.st.SaveBaseline(ctx, base, now)
}

// EngineSummaryKey is the settings row where a process running the pipeline may leave its
// latest engine summary (JSON) for `serve` to show as health and metrics.
const EngineSummaryKey = "engine_summary"

// SaveEngineSummary stores sum under EngineSummaryKey.
func SaveEngineSummary(ctx context.Context, st *store.Store, sum *engine.Summary) error {
	b, err := json.Marshal(sum)
	if err != nil {
		return err
	}
	return st.SetSetting(ctx, EngineSummaryKey, string(b))
}

func (b *StoreBackend) Engine(ctx context.Context) (*engine.Summary, error) {
	v, ok, err := b.st.Setting(ctx, EngineSummaryKey)
	if err != nil || !ok {
		return nil, err
	}
	var sum engine.Summary
	if err := json.Unmarshal([]byte(v), &sum); err != nil {
		return nil, nil // a corrupt row is no reason to fail health
	}
	return &sum, nil
}

// LiveBackend serves the state of a running pipeline: one inventory per site, the detectors,
// and the engine's counters. Changes go to the in-memory objects and are committed to the
// store before the call returns.
type LiveBackend struct {
	st      *store.Store
	invs    map[string]*inventory.Inventory
	dets    map[string]*detect.Detector
	summary func() *engine.Summary
	mu      sync.Mutex
}

// NewLiveBackend wraps a running pipeline. summary may be nil. Detectors are keyed by their
// baseline's site.
func NewLiveBackend(st *store.Store, summary func() *engine.Summary, invs []*inventory.Inventory, dets []*detect.Detector) *LiveBackend {
	b := &LiveBackend{st: st, invs: map[string]*inventory.Inventory{}, dets: map[string]*detect.Detector{}, summary: summary}
	for _, inv := range invs {
		b.invs[inv.Site()] = inv
	}
	for _, d := range dets {
		b.dets[d.Baseline().Site] = d
	}
	return b
}

func (b *LiveBackend) Store() *store.Store { return b.st }
func (b *LiveBackend) Mode() string        { return "live" }

func (b *LiveBackend) Sites(ctx context.Context) ([]string, error) {
	var s []string
	for k := range b.invs {
		s = append(s, k)
	}
	for k := range b.dets {
		s = append(s, k)
	}
	return mergeSorted(s, nil), nil
}

func (b *LiveBackend) Inventory(ctx context.Context, site string) (*inventory.Snapshot, error) {
	inv := b.invs[site]
	if inv == nil {
		return &inventory.Snapshot{Site: site}, nil
	}
	return inv.Snapshot(), nil
}

func (b *LiveBackend) SetDeviceUser(ctx context.Context, site string, rows map[string]map[string]string) error {
	inv := b.invs[site]
	if inv == nil {
		return store.ErrNotFound
	}
	if err := b.st.SetDevicesUser(ctx, site, rows); err != nil {
		return err
	}
	for dev, m := range rows {
		for k, v := range m {
			inv.SetUser(dev, k, v)
		}
	}
	return nil
}

// Alerts copies the detectors' alerts under their locks.
func (b *LiveBackend) Alerts(ctx context.Context, site string) ([]*detect.Alert, error) {
	var out []*detect.Alert
	for s, d := range b.dets {
		if site != "" && s != site {
			continue
		}
		out = append(out, d.AlertCopies()...)
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].First != out[j].First {
			return out[i].First < out[j].First
		}
		return out[i].ID < out[j].ID
	})
	return out, nil
}

func (b *LiveBackend) find(id string) (*detect.Detector, *detect.Alert) {
	for _, d := range b.dets {
		for _, a := range d.AlertCopies() {
			if a.ID == id {
				return d, a
			}
		}
	}
	return nil, nil
}

func (b *LiveBackend) Alert(ctx context.Context, id string) (*detect.Alert, error) {
	_, a := b.find(id)
	if a == nil {
		return nil, store.ErrNotFound
	}
	return a, nil
}

func (b *LiveBackend) UpdateAlert(ctx context.Context, id, status, user, comment string, now int64) (*detect.Alert, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	d, a := b.find(id)
	if a == nil {
		return nil, store.ErrNotFound
	}
	if err := d.SetStatus(id, status, user, comment, now); err != nil {
		return nil, err
	}
	_, a = b.find(id)
	if err := b.st.SaveAlerts(ctx, []*detect.Alert{a}); err != nil {
		return nil, err
	}
	return a, nil
}

func (b *LiveBackend) LearnAlert(ctx context.Context, id string, now int64) (*detect.Alert, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	d, a := b.find(id)
	if a == nil {
		return nil, store.ErrNotFound
	}
	if err := d.Learn(id); err != nil {
		return nil, fmt.Errorf("%w: %v", errNotLearnable, err)
	}
	_, a = b.find(id)
	if err := b.st.SaveLearned(ctx, d.BaselineCopy(), []*detect.Alert{a}, now); err != nil {
		return nil, err
	}
	return a, nil
}

func (b *LiveBackend) AlertPcap(ctx context.Context, id string) ([]byte, error) {
	return b.st.AlertPcap(ctx, id)
}

func (b *LiveBackend) Baseline(ctx context.Context, site string) (*detect.Baseline, error) {
	if d := b.dets[site]; d != nil {
		return d.BaselineCopy(), nil
	}
	return b.st.LoadBaseline(ctx, site)
}

// errRestart is returned when a baseline is imported into a running detector: it is stored
// and takes effect when the sensor restarts (the detector has no way to swap its baseline).
var errRestart = &Error{Status: http.StatusConflict, Code: CodeConflict, Field: "site",
	Message: "the baseline was stored; the running sensor of this site uses it from its next start"}

func (b *LiveBackend) ImportBaseline(ctx context.Context, base *detect.Baseline, now int64) error {
	if err := b.st.SaveBaseline(ctx, base, now); err != nil {
		return err
	}
	if b.dets[base.Site] != nil {
		return errRestart
	}
	return nil
}

func (b *LiveBackend) Engine(ctx context.Context) (*engine.Summary, error) {
	if b.summary == nil {
		return nil, nil
	}
	return b.summary(), nil
}

// timed wraps a backend and observes each call's latency in the store histogram.
type timed struct {
	Backend
	obs func(op string, d time.Duration)
}

func (t timed) time(op string) func() {
	start := time.Now()
	return func() { t.obs(op, time.Since(start)) }
}

func (t timed) Inventory(ctx context.Context, site string) (*inventory.Snapshot, error) {
	defer t.time("inventory")()
	return t.Backend.Inventory(ctx, site)
}

func (t timed) Alerts(ctx context.Context, site string) ([]*detect.Alert, error) {
	defer t.time("alerts")()
	return t.Backend.Alerts(ctx, site)
}

func (t timed) UpdateAlert(ctx context.Context, id, status, user, comment string, now int64) (*detect.Alert, error) {
	defer t.time("update_alert")()
	return t.Backend.UpdateAlert(ctx, id, status, user, comment, now)
}

func (t timed) LearnAlert(ctx context.Context, id string, now int64) (*detect.Alert, error) {
	defer t.time("learn_alert")()
	return t.Backend.LearnAlert(ctx, id, now)
}

func (t timed) SetDeviceUser(ctx context.Context, site string, rows map[string]map[string]string) error {
	defer t.time("set_device")()
	return t.Backend.SetDeviceUser(ctx, site, rows)
}

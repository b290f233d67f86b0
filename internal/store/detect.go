package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/quietwire/quietwire/internal/detect"
	"github.com/quietwire/quietwire/internal/evidence"
)

// SaveBaseline stores the site's baseline document.
func (s *Store) SaveBaseline(ctx context.Context, b *detect.Baseline, now int64) error {
	data, err := b.MarshalIndent()
	if err != nil {
		return fmt.Errorf("store: %w", err)
	}
	_, err = s.db.ExecContext(ctx, `INSERT INTO baselines VALUES (?, ?, ?) ON CONFLICT(site) DO UPDATE SET data = excluded.data, updated = excluded.updated`,
		b.Site, string(data), now)
	if err != nil {
		return fmt.Errorf("store: saving baseline of %s: %w", b.Site, err)
	}
	return nil
}

// LoadBaseline returns the site's baseline, or nil when it has none.
func (s *Store) LoadBaseline(ctx context.Context, site string) (*detect.Baseline, error) {
	var data string
	err := s.db.QueryRowContext(ctx, `SELECT data FROM baselines WHERE site = ?`, site).Scan(&data)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("store: %w", err)
	}
	b, err := detect.ParseBaseline([]byte(data))
	if err != nil {
		return nil, fmt.Errorf("store: %s: baseline of %s: %w", s.path, site, err)
	}
	return b, nil
}

// SaveAlerts upserts alerts (with their evidence as a pcap) in one transaction.
func (s *Store) SaveAlerts(ctx context.Context, as []*detect.Alert) error {
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("store: %w", err)
	}
	defer tx.Rollback()
	for _, a := range as {
		data, err := json.Marshal(a)
		if err != nil {
			return fmt.Errorf("store: %w", err)
		}
		var pcap []byte
		if len(a.Evidence) > 0 {
			pcap = evidence.Pcap(a.Evidence)
		}
		_, err = tx.ExecContext(ctx, `INSERT INTO alerts VALUES (?, ?, ?, ?, ?, ?, ?)
			ON CONFLICT(id) DO UPDATE SET last_seen = excluded.last_seen, status = excluded.status, data = excluded.data,
			evidence = COALESCE(alerts.evidence, excluded.evidence)`,
			a.ID, a.Site, a.First, a.Last, a.Status, string(data), pcap)
		if err != nil {
			return fmt.Errorf("store: alert %s: %w", a.ID, err)
		}
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("store: commit: %w", err)
	}
	return nil
}

// LoadAlerts returns a site's alerts ("" for all sites), oldest first.
func (s *Store) LoadAlerts(ctx context.Context, site string) ([]*detect.Alert, error) {
	q := `SELECT data FROM alerts WHERE site = ? ORDER BY first_seen, id`
	args := []any{site}
	if site == "" {
		q, args = `SELECT data FROM alerts ORDER BY first_seen, id`, nil
	}
	rows, err := s.db.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("store: %w", err)
	}
	defer rows.Close()
	var out []*detect.Alert
	for rows.Next() {
		var data string
		if err := rows.Scan(&data); err != nil {
			return nil, fmt.Errorf("store: %w", err)
		}
		var a detect.Alert
		if err := json.Unmarshal([]byte(data), &a); err != nil {
			return nil, fmt.Errorf("store: %s: corrupt alert row: %w", s.path, err)
		}
		out = append(out, &a)
	}
	return out, rows.Err()
}

// AlertPcap returns an alert's evidence pcap (nil when it has none).
func (s *Store) AlertPcap(ctx context.Context, id string) ([]byte, error) {
	var b []byte
	err := s.db.QueryRowContext(ctx, `SELECT evidence FROM alerts WHERE id = ?`, id).Scan(&b)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("alert %s not found", id)
	}
	if err != nil {
		return nil, fmt.Errorf("store: %w", err)
	}
	return b, nil
}

// PruneAlerts deletes the site's alerts last seen before ts and keeps evidence for the newest
// alerts only, up to maxEvidence bytes in all (0: no limit). It returns how many alerts it
// deleted and how many lost their evidence.
func (s *Store) PruneAlerts(ctx context.Context, site string, ts int64, maxEvidence int64) (deleted, stripped int64, err error) {
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return 0, 0, fmt.Errorf("store: %w", err)
	}
	defer tx.Rollback()
	res, err := tx.ExecContext(ctx, `DELETE FROM alerts WHERE site = ? AND last_seen < ?`, site, ts)
	if err != nil {
		return 0, 0, fmt.Errorf("store: %w", err)
	}
	deleted, _ = res.RowsAffected()
	if maxEvidence > 0 {
		rows, err := tx.QueryContext(ctx, `SELECT id, length(evidence) FROM alerts WHERE evidence IS NOT NULL ORDER BY last_seen DESC, id`)
		if err != nil {
			return 0, 0, fmt.Errorf("store: %w", err)
		}
		var total int64
		var strip []string
		for rows.Next() {
			var id string
			var n int64
			if err := rows.Scan(&id, &n); err != nil {
				rows.Close()
				return 0, 0, fmt.Errorf("store: %w", err)
			}
			total += n
			if total > maxEvidence {
				strip = append(strip, id)
			}
		}
		rows.Close()
		for _, id := range strip {
			if _, err := tx.ExecContext(ctx, `UPDATE alerts SET evidence = NULL WHERE id = ?`, id); err != nil {
				return 0, 0, fmt.Errorf("store: %w", err)
			}
		}
		stripped = int64(len(strip))
	}
	if err := tx.Commit(); err != nil {
		return 0, 0, fmt.Errorf("store: commit: %w", err)
	}
	return deleted, stripped, nil
}

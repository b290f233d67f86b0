package api

import (
	"context"
	"net/http"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// metrics are Prometheus metrics in the quietwire namespace. Pipeline counters are read from
// the backend at scrape time; API counters are kept here.
type metrics struct {
	s       *Server
	reg     *prometheus.Registry
	store   *prometheus.HistogramVec
	logins  *prometheus.CounterVec
	denied  *prometheus.CounterVec
	handler http.Handler

	packets, bytes, drops, flows, pdus, counters, alerts, devices *prometheus.Desc
}

func newMetrics(s *Server) *metrics {
	m := &metrics{s: s, reg: prometheus.NewRegistry()}
	ns := "quietwire"
	m.store = prometheus.NewHistogramVec(prometheus.HistogramOpts{Namespace: ns, Name: "store_latency_seconds",
		Help: "Latency of store/backend operations.", Buckets: prometheus.ExponentialBuckets(0.0005, 2, 14)}, []string{"op"})
	m.logins = prometheus.NewCounterVec(prometheus.CounterOpts{Namespace: ns, Name: "logins_total", Help: "Login attempts by result."}, []string{"result"})
	m.denied = prometheus.NewCounterVec(prometheus.CounterOpts{Namespace: ns, Name: "authorization_denied_total", Help: "Denied requests by reason (role, site, csrf)."}, []string{"reason"})
	m.packets = prometheus.NewDesc(ns+"_packets_total", "Packets read by the pipeline.", nil, nil)
	m.bytes = prometheus.NewDesc(ns+"_bytes_total", "Bytes read by the pipeline.", nil, nil)
	m.drops = prometheus.NewDesc(ns+"_drops_total", "Packets dropped, by reason.", []string{"reason"}, nil)
	m.flows = prometheus.NewDesc(ns+"_flows_total", "Flows ended.", nil, nil)
	m.pdus = prometheus.NewDesc(ns+"_pdus_total", "Protocol data units parsed, by protocol.", []string{"protocol"}, nil)
	m.counters = prometheus.NewDesc(ns+"_engine_events_total", "Engine counters (caps hit, parser errors…), by name.", []string{"name"}, nil)
	m.alerts = prometheus.NewDesc(ns+"_alerts", "Alerts, by site, engine, severity and status.", []string{"site", "engine", "severity", "status"}, nil)
	m.devices = prometheus.NewDesc(ns+"_devices", "Devices in the inventory, by site.", []string{"site"}, nil)
	m.reg.MustRegister(m.store, m.logins, m.denied, m, prometheus.NewGoCollector())
	m.handler = promhttp.HandlerFor(m.reg, promhttp.HandlerOpts{})
	return m
}

func (m *metrics) observeStore(op string, d time.Duration) {
	m.store.WithLabelValues(op).Observe(d.Seconds())
}

func (m *metrics) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range []*prometheus.Desc{m.packets, m.bytes, m.drops, m.flows, m.pdus, m.counters, m.alerts, m.devices} {
		ch <- d
	}
}

// Collect reads the pipeline and the store at scrape time.
func (m *metrics) Collect(ch chan<- prometheus.Metric) {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	b := m.s.b
	if sum, err := b.Engine(ctx); err == nil && sum != nil {
		ch <- prometheus.MustNewConstMetric(m.packets, prometheus.CounterValue, float64(sum.Packets))
		ch <- prometheus.MustNewConstMetric(m.bytes, prometheus.CounterValue, float64(sum.Bytes))
		ch <- prometheus.MustNewConstMetric(m.flows, prometheus.CounterValue, float64(sum.Flows))
		for k, v := range sum.Drops {
			ch <- prometheus.MustNewConstMetric(m.drops, prometheus.CounterValue, float64(v), k)
		}
		for k, v := range sum.PDUs {
			ch <- prometheus.MustNewConstMetric(m.pdus, prometheus.CounterValue, float64(v), k)
		}
		for k, v := range sum.Counters {
			ch <- prometheus.MustNewConstMetric(m.counters, prometheus.CounterValue, float64(v), k)
		}
	}
	sites, err := b.Sites(ctx)
	if err != nil {
		return
	}
	for _, site := range sites {
		type key struct{ e, s, st string }
		n := map[key]int{}
		if as, err := b.Alerts(ctx, site); err == nil {
			for _, a := range as {
				n[key{string(a.Engine), string(a.Severity), a.Status}]++
			}
		}
		for k, v := range n {
			ch <- prometheus.MustNewConstMetric(m.alerts, prometheus.GaugeValue, float64(v), site, k.e, k.s, k.st)
		}
		if snap, err := b.Inventory(ctx, site); err == nil {
			ch <- prometheus.MustNewConstMetric(m.devices, prometheus.GaugeValue, float64(len(snap.Devices)), site)
		}
	}
}

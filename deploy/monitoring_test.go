package deploy_test

import (
	"encoding/json"
	"os"
	"reflect"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/prometheus/client_golang/prometheus"
	"sigs.k8s.io/yaml"

	"github.com/inviter/inviter/pkg/metrics"
)

// exported lists the names of the metrics the programs export (our own:
// inviter_*), read from the collectors' descriptions.
func exported(t *testing.T) map[string]bool {
	t.Helper()
	reg := prometheus.NewRegistry()
	cs := append(metrics.New(reg).Collectors(),
		metrics.NewWaitingCollector(nil, nil), metrics.NewQueueCollector(nil, "invitations", nil))
	fq := regexp.MustCompile(`fqName: "([^"]+)"`)
	names := map[string]bool{}
	for _, c := range cs {
		ch := make(chan *prometheus.Desc, 16)
		c.Describe(ch)
		close(ch)
		for d := range ch {
			if m := fq.FindStringSubmatch(d.String()); m != nil {
				names[m[1]] = true
			}
		}
	}
	if len(names) < 10 {
		t.Fatalf("only %d metric names found: %v", len(names), names)
	}
	return names
}

var metricName = regexp.MustCompile(`\binviter_[a-z_]+`)

// checkMetrics fails for a query that names a metric nobody exports (a
// histogram's _bucket, _count and _sum series count as its own).
func checkMetrics(t *testing.T, where, query string) {
	t.Helper()
	names := exported(t)
	found := metricName.FindAllString(query, -1)
	if len(found) == 0 {
		t.Errorf("%s: query %q names none of our metrics", where, query)
	}
	for _, n := range found {
		base := n
		for _, suffix := range []string{"_bucket", "_count", "_sum"} {
			if b, ok := strings.CutSuffix(n, suffix); ok && names[b] {
				base = b
			}
		}
		if !names[base] {
			t.Errorf("%s: %s is not a metric the programs export", where, n)
		}
	}
}

// The alert rules exist once for a plain Prometheus and once as a
// PrometheusRule, equal, and name only exported metrics.
func TestAlertRules(t *testing.T) {
	var plain ruleFile
	data, err := os.ReadFile("prometheus/alerts.yml")
	if err != nil {
		t.Fatal(err)
	}
	if err := yaml.UnmarshalStrict(data, &plain); err != nil {
		t.Fatalf("prometheus/alerts.yml: %v", err)
	}
	data, err = os.ReadFile("k8s/alerts.yaml")
	if err != nil {
		t.Fatal(err)
	}
	objs := decodeAll(t, "k8s/alerts.yaml", data)
	crd := objs[0].(*prometheusRule)
	if !reflect.DeepEqual(plain, crd.Spec) {
		t.Fatalf("prometheus/alerts.yml and k8s/alerts.yaml differ")
	}
	var alerts []string
	for _, g := range plain.Groups {
		for _, r := range g.Rules {
			alerts = append(alerts, r.Alert)
			checkMetrics(t, "alert "+r.Alert, r.Expr)
			if r.For == "" || r.Labels["severity"] == "" || r.Annotations["summary"] == "" {
				t.Errorf("alert %s needs for, a severity and a summary", r.Alert)
			}
		}
	}
	for _, want := range []string{"InviterInvitationsWaitingTooLong", "InviterDeliveryErrorRate",
		"InviterQueueLatencyHigh", "InviterProviderErrors"} {
		if !slices.Contains(alerts, want) {
			t.Errorf("no alert %s", want)
		}
	}
}

// dashboard is the part of a Grafana dashboard we write.
type dashboard struct {
	UID, Title    string
	Tags          []string
	Timezone      string
	SchemaVersion int
	Version       int
	Editable      bool
	Refresh       string
	Time          struct{ From, To string }
	Templating    struct {
		List []struct {
			Name, Label, Type, Query string
			Current                  map[string]any
			Hide                     int
		}
	}
	Annotations struct{ List []any }
	Panels      []struct {
		ID          int
		Type, Title string
		Datasource  struct{ Type, UID string }
		GridPos     struct{ X, Y, W, H int }
		FieldConfig struct {
			Defaults  struct{ Unit string }
			Overrides []any
		}
		Options map[string]any
		Targets []struct {
			Datasource   struct{ Type, UID string }
			Expr         string
			LegendFormat string
			RefID        string
		}
	}
}

// The Grafana dashboard decodes strictly and its queries name exported
// metrics.
func TestGrafanaDashboard(t *testing.T) {
	data, err := os.ReadFile("k8s/grafana-dashboard.json")
	if err != nil {
		t.Fatal(err)
	}
	var d dashboard
	dec := json.NewDecoder(strings.NewReader(string(data)))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&d); err != nil {
		t.Fatalf("grafana-dashboard.json: %v", err)
	}
	if d.UID == "" || len(d.Panels) < 10 {
		t.Fatalf("dashboard %q has %d panels", d.UID, len(d.Panels))
	}
	seen := map[string]bool{}
	for _, p := range d.Panels {
		for _, tg := range p.Targets {
			for _, n := range metricName.FindAllString(tg.Expr, -1) {
				seen[strings.TrimSuffix(strings.TrimSuffix(n, "_bucket"), "_count")] = true
			}
			if strings.Contains(tg.Expr, "inviter_") {
				checkMetrics(t, "panel "+p.Title, tg.Expr)
			}
		}
	}
	for n := range exported(t) {
		if !seen[n] {
			t.Errorf("no panel shows %s", n)
		}
	}
}

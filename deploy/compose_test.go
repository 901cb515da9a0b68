package deploy_test

import (
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"sigs.k8s.io/yaml"
)

// composeFile is the part of docker-compose.yml this test reads.
type composeFile struct {
	Services map[string]struct {
		Image    string   `json:"image"`
		Profiles []string `json:"profiles"`
		Volumes  []string `json:"volumes"`
	} `json:"services"`
}

// docker-compose runs Prometheus and Grafana under the "monitoring"
// profile (the default stack stays small), mounting files that exist;
// Prometheus scrapes the api and the workers on the ports they listen on.
// Docker is not available to the tests, so this reads the file.
func TestComposeMonitoringProfile(t *testing.T) {
	data, err := os.ReadFile("../docker-compose.yml")
	if err != nil {
		t.Fatal(err)
	}
	var c composeFile
	if err := yaml.Unmarshal(data, &c); err != nil {
		t.Fatalf("docker-compose.yml: %v", err)
	}
	for _, name := range []string{"prometheus", "grafana"} {
		s, ok := c.Services[name]
		if !ok || !slices.Equal(s.Profiles, []string{"monitoring"}) {
			t.Errorf("service %s: want it under the monitoring profile, got %+v", name, s)
		}
		for _, v := range s.Volumes {
			src, _, _ := strings.Cut(v, ":")
			if _, err := os.Stat(filepath.Join("..", src)); err != nil {
				t.Errorf("service %s mounts %s: %v", name, src, err)
			}
		}
	}
	if s := c.Services["mailpit"]; s.Image == "" {
		t.Errorf("no mailpit service")
	}
	for name, s := range c.Services {
		if len(s.Profiles) == 0 && (name == "prometheus" || name == "grafana") {
			t.Errorf("%s is in the default stack", name)
		}
	}

	var prom struct {
		Global        map[string]string `json:"global"`
		RuleFiles     []string          `json:"rule_files"`
		ScrapeConfigs []struct {
			JobName       string `json:"job_name"`
			StaticConfigs []struct {
				Targets []string `json:"targets"`
			} `json:"static_configs"`
			DNSSDConfigs []struct {
				Names []string `json:"names"`
				Type  string   `json:"type"`
				Port  int      `json:"port"`
			} `json:"dns_sd_configs"`
		} `json:"scrape_configs"`
	}
	data, err = os.ReadFile("prometheus/prometheus.yml")
	if err != nil {
		t.Fatal(err)
	}
	if err := yaml.UnmarshalStrict(data, &prom); err != nil {
		t.Fatalf("prometheus/prometheus.yml: %v", err)
	}
	var targets []string
	for _, sc := range prom.ScrapeConfigs {
		for _, st := range sc.StaticConfigs {
			targets = append(targets, st.Targets...)
		}
		for _, d := range sc.DNSSDConfigs {
			for _, n := range d.Names {
				targets = append(targets, n+":"+itoa(d.Port))
			}
		}
	}
	for _, want := range []string{"api:8080", "worker:8081"} {
		if !slices.Contains(targets, want) {
			t.Errorf("Prometheus does not scrape %s (targets %v)", want, targets)
		}
	}
	if len(prom.RuleFiles) == 0 {
		t.Errorf("Prometheus loads no alert rules")
	}
}

func itoa(n int) string { return strconv.Itoa(n) }

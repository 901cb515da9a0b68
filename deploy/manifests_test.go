// Package deploy_test checks the deployment files: every Kubernetes
// manifest decodes strictly into its API type (a misspelt field fails), the
// kustomization builds, the alert rules and the dashboard name only metrics
// the programs export, and docker-compose wires Prometheus and Grafana.
package deploy_test

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	appsv1 "k8s.io/api/apps/v1"
	autoscalingv2 "k8s.io/api/autoscaling/v2"
	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	policyv1 "k8s.io/api/policy/v1"
	"sigs.k8s.io/kustomize/api/krusty"
	"sigs.k8s.io/kustomize/kyaml/filesys"
	"sigs.k8s.io/yaml"
)

// typeMeta reads a document's kind before the strict decoding.
type typeMeta struct {
	APIVersion string `json:"apiVersion"`
	Kind       string `json:"kind"`
}

// newObject returns the Go type a kind decodes into: Kubernetes' own for
// built-in kinds, minimal structs of our own for the CRDs (KEDA,
// Prometheus Operator), which list only the fields we use.
func newObject(apiVersion, kind string) (any, error) {
	switch apiVersion + " " + kind {
	case "apps/v1 Deployment":
		return &appsv1.Deployment{}, nil
	case "v1 Service":
		return &corev1.Service{}, nil
	case "v1 ConfigMap":
		return &corev1.ConfigMap{}, nil
	case "v1 Secret":
		return &corev1.Secret{}, nil
	case "batch/v1 Job":
		return &batchv1.Job{}, nil
	case "autoscaling/v2 HorizontalPodAutoscaler":
		return &autoscalingv2.HorizontalPodAutoscaler{}, nil
	case "policy/v1 PodDisruptionBudget":
		return &policyv1.PodDisruptionBudget{}, nil
	case "keda.sh/v1alpha1 ScaledObject":
		return &scaledObject{}, nil
	case "monitoring.coreos.com/v1 PrometheusRule":
		return &prometheusRule{}, nil
	}
	return nil, fmt.Errorf("unknown kind %s %s: add it to newObject", apiVersion, kind)
}

// decodeAll decodes every document of a multi-document YAML stream
// strictly and returns the objects.
func decodeAll(t *testing.T, name string, data []byte) []any {
	t.Helper()
	var objs []any
	for i, doc := range bytes.Split(data, []byte("\n---")) {
		if len(bytes.TrimSpace(stripComments(doc))) == 0 {
			continue
		}
		var tm typeMeta
		if err := yaml.Unmarshal(doc, &tm); err != nil {
			t.Fatalf("%s document %d: %v", name, i, err)
		}
		obj, err := newObject(tm.APIVersion, tm.Kind)
		if err != nil {
			t.Fatalf("%s document %d: %v", name, i, err)
		}
		if err := yaml.UnmarshalStrict(doc, obj); err != nil {
			t.Fatalf("%s document %d (%s): %v", name, i, tm.Kind, err)
		}
		objs = append(objs, obj)
	}
	return objs
}

func stripComments(doc []byte) []byte {
	var out [][]byte
	for line := range bytes.SplitSeq(doc, []byte("\n")) {
		if !bytes.HasPrefix(bytes.TrimSpace(line), []byte("#")) {
			out = append(out, line)
		}
	}
	return bytes.Join(out, []byte("\n"))
}

// Every manifest file decodes strictly.
func TestManifestsDecodeStrictly(t *testing.T) {
	err := filepath.WalkDir("k8s", func(path string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(path, ".yaml") || d.Name() == "kustomization.yaml" {
			return err
		}
		data, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		if len(decodeAll(t, path, data)) == 0 {
			t.Errorf("%s holds no object", path)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// built runs kustomize on deploy/k8s, as `kubectl apply -k` would, and
// decodes its output strictly.
func built(t *testing.T) []any {
	t.Helper()
	k := krusty.MakeKustomizer(krusty.MakeDefaultOptions())
	res, err := k.Run(filesys.MakeFsOnDisk(), "k8s")
	if err != nil {
		t.Fatalf("kustomize build deploy/k8s: %v", err)
	}
	out, err := res.AsYaml()
	if err != nil {
		t.Fatal(err)
	}
	return decodeAll(t, "kustomize output", out)
}

// The kustomization builds, and what it builds holds together: probes,
// grace periods above SHUTDOWN_TIMEOUT, a writable /tmp, autoscalers and
// budgets that point at real workloads, a migration Job named per release.
func TestKustomizationBuilds(t *testing.T) {
	objs := built(t)
	deployments := map[string]*appsv1.Deployment{}
	var cfg *corev1.ConfigMap
	var jobs []*batchv1.Job
	for _, o := range objs {
		switch o := o.(type) {
		case *appsv1.Deployment:
			deployments[o.Name] = o
		case *corev1.ConfigMap:
			if o.Name == "inviter-config" {
				cfg = o
			}
		case *batchv1.Job:
			jobs = append(jobs, o)
		}
	}
	if cfg == nil || len(deployments) != 2 || len(jobs) != 1 {
		t.Fatalf("built %d deployments, %d jobs, config %v; want api and worker, one migration Job and inviter-config",
			len(deployments), len(jobs), cfg != nil)
	}
	shutdown := parseSeconds(t, cfg.Data["SHUTDOWN_TIMEOUT"])
	for name, d := range deployments {
		checkPod(t, name, d.Spec.Template.Spec, shutdown)
		if d.Spec.Replicas != nil {
			t.Errorf("%s sets replicas, which would fight its autoscaler on every apply", name)
		}
	}
	checkPod(t, jobs[0].Name, jobs[0].Spec.Template.Spec, 0)
	tag := imageTag(t, deployments["inviter-api"].Spec.Template.Spec.Containers[0].Image)
	if want := "inviter-migrate-" + strings.ReplaceAll(tag, ".", "-"); jobs[0].Name != want {
		t.Errorf("migration Job is %s, want %s for image tag %s (nameSuffix in deploy/k8s/migrate)", jobs[0].Name, want, tag)
	}

	targets := map[string]bool{}
	for _, o := range objs {
		switch o := o.(type) {
		case *autoscalingv2.HorizontalPodAutoscaler:
			targets[o.Spec.ScaleTargetRef.Name] = true
			if deployments[o.Spec.ScaleTargetRef.Name] == nil {
				t.Errorf("HPA %s scales %s, which is not built", o.Name, o.Spec.ScaleTargetRef.Name)
			}
		case *scaledObject:
			targets[o.Spec.ScaleTargetRef.Name] = true
			if deployments[o.Spec.ScaleTargetRef.Name] == nil {
				t.Errorf("ScaledObject %s scales %s, which is not built", o.Name, o.Spec.ScaleTargetRef.Name)
			}
			if o.Spec.MinReplicaCount < 1 || o.Spec.MaxReplicaCount <= o.Spec.MinReplicaCount || len(o.Spec.Triggers) == 0 {
				t.Errorf("ScaledObject %s: min %d, max %d, %d triggers", o.Name, o.Spec.MinReplicaCount,
					o.Spec.MaxReplicaCount, len(o.Spec.Triggers))
			}
			for _, tr := range o.Spec.Triggers {
				checkMetrics(t, "ScaledObject "+o.Name, tr.Metadata["query"])
			}
		case *policyv1.PodDisruptionBudget:
			matched := false
			for _, d := range deployments {
				matched = matched || labelsMatch(o.Spec.Selector.MatchLabels, d.Spec.Template.Labels)
			}
			if !matched {
				t.Errorf("PodDisruptionBudget %s selects no pod", o.Name)
			}
		}
	}
	for name := range deployments {
		if !targets[name] {
			t.Errorf("%s has no autoscaler", name)
		}
	}
}

// checkPod wants probes (startup included) on long-running pods, a grace
// period above SHUTDOWN_TIMEOUT, and /tmp as the writable TMPDIR.
func checkPod(t *testing.T, name string, pod corev1.PodSpec, shutdown int64) {
	t.Helper()
	if shutdown > 0 && (pod.TerminationGracePeriodSeconds == nil || *pod.TerminationGracePeriodSeconds <= shutdown) {
		t.Errorf("%s: terminationGracePeriodSeconds must exceed SHUTDOWN_TIMEOUT (%ds)", name, shutdown)
	}
	tmp := false
	for _, v := range pod.Volumes {
		tmp = tmp || (v.Name == "tmp" && v.EmptyDir != nil)
	}
	for _, c := range pod.Containers {
		if shutdown > 0 && (c.StartupProbe == nil || c.ReadinessProbe == nil || c.LivenessProbe == nil) {
			t.Errorf("%s/%s: startup, readiness and liveness probes are all needed", name, c.Name)
		}
		mounted := false
		for _, m := range c.VolumeMounts {
			mounted = mounted || (m.Name == "tmp" && m.MountPath == "/tmp")
		}
		env := false
		for _, e := range c.Env {
			env = env || (e.Name == "TMPDIR" && e.Value == "/tmp")
		}
		if !tmp || !mounted || !env {
			t.Errorf("%s/%s: want an emptyDir volume tmp at /tmp and TMPDIR=/tmp (the root filesystem is read-only)", name, c.Name)
		}
	}
}

func parseSeconds(t *testing.T, s string) int64 {
	t.Helper()
	var n int64
	if _, err := fmt.Sscanf(s, "%ds", &n); err != nil {
		t.Fatalf("SHUTDOWN_TIMEOUT %q: want whole seconds such as 30s", s)
	}
	return n
}

func imageTag(t *testing.T, image string) string {
	t.Helper()
	i := strings.LastIndex(image, ":")
	if i < 0 {
		t.Fatalf("image %q has no tag", image)
	}
	return image[i+1:]
}

func labelsMatch(selector, labels map[string]string) bool {
	for k, v := range selector {
		if labels[k] != v {
			return false
		}
	}
	return len(selector) > 0
}

package app_test

import (
	"io"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"
)

const metricsToken = "scrape-secret-for-tests"

// scrape reads a program's /metrics with the token, failing unless 200.
func scrape(t testing.TB, base string) string {
	t.Helper()
	req, err := http.NewRequest("GET", base+"/metrics", nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+metricsToken)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("GET %s/metrics: %d %s", base, resp.StatusCode, body)
	}
	return string(body)
}

// sample returns the value of the series name{labels} in a scrape (labels
// as written, sorted by name as the client library writes them), or -1
// when it is absent.
func sample(body, series string) float64 {
	for line := range strings.SplitSeq(body, "\n") {
		if v, ok := strings.CutPrefix(line, series+" "); ok {
			f, err := strconv.ParseFloat(strings.TrimSpace(v), 64)
			if err != nil {
				return -1
			}
			return f
		}
	}
	return -1
}

// A batch moves the metrics: the worker counts deliveries, rejections and
// provider errors and times the provider; the api counts sign-ins, times
// requests by route pattern, and logs one line per request with the user.
// /metrics needs METRICS_TOKEN.
func TestMetricsMoveWithABatch(t *testing.T) {
	t.Parallel()
	s := startService(t, options{Env: map[string]string{"METRICS_TOKEN": metricsToken}})
	for _, base := range []string{s.API, s.WorkerHealth} {
		call(t, "GET", base+"/metrics", "", nil, nil, http.StatusUnauthorized)
		call(t, "GET", base+"/metrics", "wrong-token", nil, nil, http.StatusUnauthorized)
	}
	api := s.API + "/api/v1"
	call(t, "POST", api+"/auth/login", "", map[string]string{"login": "admin", "password": "not-the-password"}, nil, http.StatusUnauthorized)
	tok := adminToken(t, s)

	ids := seedUsers(t, s.DB, 5)
	s.SMTP.FailRcpt("user5@example.com", 550, "5.1.1", "no such mailbox", -1)
	call(t, "POST", api+"/invitations", tok, map[string]any{"user_ids": ids}, nil, http.StatusAccepted)
	eventually(t, 30*time.Second, "the batch to finish", func() bool {
		return countStatus(t, s.DB, "invited") == 4 && countStatus(t, s.DB, "error") == 1
	})
	call(t, "GET", api+"/users/"+itoa(ids[0])+"?search=private-query-value", tok, nil, nil, http.StatusOK)
	call(t, "PUT", api+"/settings/auth", tok, map[string]string{"verification_method": "email_only"}, nil, http.StatusOK)

	w := scrape(t, s.WorkerHealth)
	for series, want := range map[string]float64{
		`inviter_invitations_total{channel="email",outcome="delivered"}`:                 4,
		`inviter_invitations_total{channel="email",outcome="rejected"}`:                  1,
		`inviter_provider_errors_total{channel="email",class="rejected",code="550"}`:     1,
		`inviter_delivery_seconds_count{channel="email"}`:                                5,
		`inviter_rate_limit_wait_seconds_count{channel="email"}`:                         -1, // no SMTP_RATE: no limiter
		`inviter_reconciler_requeued_total`:                                              0,
		`inviter_invitations_total{channel="email",outcome="retried"}`:                   -1,
		`inviter_http_request_seconds_count{method="GET",route="/healthz",status="200"}`: -1,
	} {
		if got := sample(w, series); got != want {
			t.Errorf("worker: %s = %v, want %v", series, got, want)
		}
	}
	if sample(w, "go_goroutines") <= 0 || sample(w, "process_start_time_seconds") <= 0 {
		t.Errorf("worker: no Go or process collector:\n%s", w)
	}

	a := scrape(t, s.API)
	for series, want := range map[string]float64{
		`inviter_signins_total{result="ok"}`:                                                         1,
		`inviter_signins_total{result="wrong_password"}`:                                             1,
		`inviter_http_request_seconds_count{method="GET",route="/api/v1/users/{id}",status="200"}`:   1,
		`inviter_http_request_seconds_count{method="POST",route="/api/v1/invitations",status="202"}`: 1,
		`inviter_http_request_seconds_count{method="POST",route="/api/v1/auth/login",status="401"}`:  1,
		`inviter_http_request_seconds_count{method="GET",route="/metrics",status="401"}`:             2,
		`inviter_waiting_invitations`:                                                                0,
		`inviter_oldest_waiting_seconds`:                                                             0,
		`inviter_queue_tasks{queue="invitations",state="pending"}`:                                   0,
		`inviter_queue_latency_seconds{queue="invitations"}`:                                         0,
	} {
		if got := sample(a, series); got != want {
			t.Errorf("api: %s = %v, want %v", series, got, want)
		}
	}
	if strings.Contains(a, "/api/v1/users/"+itoa(ids[0])) {
		t.Errorf("api metrics name a raw path")
	}

	logs := s.Logs.String()
	for _, want := range []string{
		`"method":"GET","route":"/api/v1/users/{id}","status":200`,
		`"msg":"invitation delivered"`,
		`"msg":"settings changed"`,
	} {
		if !contains(logs, want) {
			t.Errorf("no log line with %s", want)
		}
	}
	if contains(logs, "private-query-value") {
		t.Errorf("a query value reached the logs")
	}
	for line := range strings.SplitSeq(logs, "\n") {
		if contains(line, `"route":"/api/v1/users/{id}"`) && !contains(line, `"user_id":`) {
			t.Errorf("request line without the user id: %s", line)
		}
	}
}

// With no worker, a batch waits: the api's gauges read PostgreSQL and asynq.
func TestMetricsShowWaitingInvitations(t *testing.T) {
	t.Parallel()
	s := startService(t, options{NoWorker: true, Env: map[string]string{"METRICS_TOKEN": metricsToken}})
	tok := adminToken(t, s)
	ids := seedUsers(t, s.DB, 7)
	call(t, "POST", s.API+"/api/v1/invitations", tok, map[string]any{"user_ids": ids}, nil, http.StatusAccepted)
	var a string
	eventually(t, 10*time.Second, "the gauges to show the waiting batch", func() bool {
		a = scrape(t, s.API)
		return sample(a, `inviter_waiting_invitations`) == 7 &&
			sample(a, `inviter_queue_tasks{queue="invitations",state="pending"}`) == 7 &&
			sample(a, `inviter_oldest_waiting_seconds`) > 0 &&
			sample(a, `inviter_queue_latency_seconds{queue="invitations"}`) > 0
	})
}

package app_test

import (
	"net/http"
	"testing"
	"time"

	"github.com/inviter/inviter/pkg/testenv"
)

// With REDIS_URL naming a Sentinel set, the master is killed in the
// middle of a batch: the sentinels promote the replica, the programs find
// it, and every user ends invited, none left waiting. A task the dead
// master had not passed to its replica is found by the reconciler; one it
// had handed out as active, to a worker that never got it, comes back when
// asynq's lease on it expires (its recoverer looks every minute).
func TestSentinelFailoverMidBatch(t *testing.T) {
	t.Parallel()
	set := testenv.StartSentinelSet(t)
	const n = 300
	s := startService(t, options{Workers: 2, Env: map[string]string{
		"REDIS_URL": set.URL(0), "SMTP_RATE": "60/s", "RECONCILE_INTERVAL": "500ms", "RECONCILE_GRACE": "2s",
	}})
	tok := adminToken(t, s)
	ids := seedUsers(t, s.DB, n)
	start := time.Now()
	call(t, "POST", s.API+"/api/v1/invitations", tok, map[string]any{"user_ids": ids}, nil, http.StatusAccepted)
	eventually(t, 30*time.Second, "a third of the batch to be sent", func() bool { return len(s.SMTP.Messages()) >= n/3 })
	killedAt := time.Now()
	newMaster := set.KillMaster(t)
	promoted := time.Since(killedAt)
	var ninetyPercent time.Duration
	eventually(t, 4*time.Minute, "every user invited after the failover", func() bool {
		invited := countStatus(t, s.DB, "invited")
		if ninetyPercent == 0 && invited >= n*9/10 {
			ninetyPercent = time.Since(start)
		}
		return invited == n
	})
	if w := countStatus(t, s.DB, "waiting"); w != 0 {
		t.Fatalf("%d users still waiting", w)
	}
	perUser := map[string]int{}
	for _, m := range s.SMTP.Messages() {
		perUser[m.To[0]]++
	}
	if len(perUser) != n {
		t.Fatalf("%d users got a message, want %d", len(perUser), n)
	}
	t.Logf("Sentinel failover mid-batch: %d users, master killed after %s, replica %s promoted in %s; 90%% invited after %s, all after %s; %d messages (%d repeats of at-least-once)",
		n, killedAt.Sub(start).Round(time.Millisecond), newMaster, promoted.Round(time.Millisecond),
		ninetyPercent.Round(time.Millisecond), time.Since(start).Round(time.Millisecond), len(s.SMTP.Messages()), len(s.SMTP.Messages())-n)
	call(t, "GET", s.API+"/readyz", "", nil, nil, http.StatusOK)
	call(t, "GET", s.WorkerHealth+"/readyz", "", nil, nil, http.StatusOK)
}

// With REDIS_URL naming a cluster, a batch goes through asynq, the rate
// limiter and the readiness checks on the cluster.
func TestClusterBatch(t *testing.T) {
	t.Parallel()
	c := testenv.StartCluster(t)
	const n = 40
	s := startService(t, options{Env: map[string]string{"REDIS_URL": c.URL(), "SMTP_RATE": "100/s"}})
	tok := adminToken(t, s)
	ids := seedUsers(t, s.DB, n)
	call(t, "POST", s.API+"/api/v1/invitations", tok, map[string]any{"user_ids": ids}, nil, http.StatusAccepted)
	eventually(t, time.Minute, "every user invited", func() bool { return countStatus(t, s.DB, "invited") == n })
	call(t, "GET", s.API+"/readyz", "", nil, nil, http.StatusOK)

	// Every message took its turn from the limiter, whose key lives in the
	// cluster.
	if got := sample(scrape(t, s.WorkerHealth), `inviter_rate_limit_wait_seconds_count{channel="email"}`); got != n {
		t.Fatalf("%v sends went through the rate limiter, want %d", got, n)
	}
}

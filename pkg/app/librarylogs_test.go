package app

import (
	"encoding/json"
	"log"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/inviter/inviter/pkg/testenv"
)

// go-redis's own lines (a failed dial while Redis is down) and the standard
// log package's come out as JSON through the binary's logger. Not
// parallel: both settings are process-wide.
func TestLibraryLogsAreJSON(t *testing.T) {
	logs := &testenv.LogBuffer{}
	routeLibraryLogs(NewLogger(logs, slog.LevelInfo, "api"))
	rc := redis.NewClient(&redis.Options{Addr: "127.0.0.1:1", MaxRetries: -1, DialTimeout: time.Second,
		PoolSize: 1, MinIdleConns: 1})
	defer rc.Close()
	rc.Ping(t.Context()) //nolint:errcheck // it fails: that is the point
	log.Print("a line through the standard log package")

	deadline := time.Now().Add(10 * time.Second)
	for logs.Count(`"component":"go-redis"`) == 0 {
		if time.Now().After(deadline) {
			t.Fatalf("no go-redis line in the logger:\n%s", logs.String())
		}
		time.Sleep(20 * time.Millisecond)
	}
	for _, line := range strings.Split(strings.TrimSpace(logs.String()), "\n") {
		var v map[string]any
		if err := json.Unmarshal([]byte(line), &v); err != nil {
			t.Errorf("not JSON: %s", line)
		}
	}
	if logs.Count("a line through the standard log package") != 1 {
		t.Errorf("the standard log package's line is missing:\n%s", logs.String())
	}
}

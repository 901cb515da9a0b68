package config

import (
	"slices"
	"strings"
)

// Perf holds the settings of the bulk path's performance mechanisms.
type Perf struct {
	// DirectEnqueue is how many attempts a batch may have for the api to
	// enqueue their tasks itself after the commit (INVITE_DIRECT_ENQUEUE);
	// larger batches get one dispatch task that workers fan out. 0 sends
	// every batch through the dispatch task.
	DirectEnqueue int
	// Off lists mechanisms turned off (PERF_OFF), for the benchmarks that
	// weigh each against its absence; never needed in production.
	Off []string
}

// Performance mechanisms PERF_OFF can turn off.
const (
	PerfGroupCommit        = "group_commit"        // the worker's shared claim and delivery statements
	PerfPreparedStatements = "prepared_statements" // the worker's statement cache
	PerfSMTPPipelining     = "smtp_pipelining"     // MAIL, RCPT and DATA in one write
	PerfSendGroups         = "send_groups"         // the guards of sends that start together in one transaction
)

// Disabled reports whether PERF_OFF names mechanism.
func (p Perf) Disabled(mechanism string) bool { return slices.Contains(p.Off, mechanism) }

// perf reads INVITE_DIRECT_ENQUEUE and PERF_OFF.
func (l *loader) perf() Perf {
	p := Perf{DirectEnqueue: l.int("INVITE_DIRECT_ENQUEUE", 100, 0, 100_000)}
	known := []string{PerfGroupCommit, PerfPreparedStatements, PerfSMTPPipelining, PerfSendGroups}
	for _, m := range strings.Split(l.str("PERF_OFF", ""), ",") {
		m = strings.TrimSpace(strings.ToLower(m))
		if m == "" {
			continue
		}
		if !slices.Contains(known, m) {
			l.fail("PERF_OFF", "must list some of %s, got %q", strings.Join(known, ", "), m)
			continue
		}
		p.Off = append(p.Off, m)
	}
	return p
}

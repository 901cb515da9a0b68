package web

import (
	"net/url"
	"strings"
	"testing"
)

// The table narrowed to one send (in_batch, outcome) exports the same users:
// the export names the send as the API does (batch), and takes every
// matching user whatever the page size.
func TestExportOfOneSendNamesTheBatch(t *testing.T) {
	t.Parallel()
	q := parseListQuery(url.Values{"in_batch": {"7"}, "outcome": {"refused"}, "status": {"error"}, "size": {"100"}}, "")
	href := exportHref(q, "csv")
	v, err := url.ParseQuery(strings.TrimPrefix(href, "/users/export?"))
	if err != nil {
		t.Fatal(err)
	}
	if v.Get("batch") != "7" || v.Get("outcome") != "refused" || v.Get("invite_status") != "error" || v.Get("format") != "csv" {
		t.Errorf("export of one send: %s", href)
	}
	for _, k := range []string{"in_batch", "status", "size"} {
		if v.Has(k) {
			t.Errorf("export of one send carries %s: %s", k, href)
		}
	}
}

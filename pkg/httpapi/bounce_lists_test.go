package httpapi_test

import (
	"net/http"
	"slices"
	"strconv"
	"testing"
	"time"

	"github.com/inviter/inviter/pkg/httpapi"
)

// A failed delivery that comes back later counts among the batch's
// failures, and error_code=delivery_rejected lists those users.
func TestBouncesInProgressAndList(t *testing.T) {
	t.Parallel()
	d := newDLREnv(t, httpapi.VonageReceiptConfig{Token: dlrToken})
	target := d.url + "?token=" + dlrToken
	var ids []int64
	for i := range 3 {
		u := d.createUser(t, map[string]any{"login": "b" + strconv.Itoa(i), "first_name": "B", "last_name": "U",
			"phone": "+7905222222" + strconv.Itoa(i)})
		ids = append(ids, u.ID)
	}
	r := d.do(t, "POST", "/api/v1/invitations", d.adminToken, map[string]any{"user_ids": ids})
	want(t, r, http.StatusAccepted)
	batch := decode[batchBody](t, r)
	var attempts []int64
	for _, id := range ids {
		a := d.currentInvitation(t, id)
		d.deliver(t, a, time.Hour)
		attempts = append(attempts, a)
	}
	progress := func() progressBody {
		r := d.do(t, "GET", "/api/v1/invitations/batches/"+strconv.FormatInt(batch.BatchID, 10), d.adminToken, nil)
		want(t, r, http.StatusOK)
		return decode[progressBody](t, r)
	}
	if p := progress(); p.Invited != 3 || p.Failed != 0 {
		t.Fatalf("before the receipts: %+v", p)
	}
	// An illegal number (rejected), a content filter (failed), a delivery.
	for i, st := range [][2]string{{"failed", "9"}, {"rejected", "52"}, {"delivered", "0"}} {
		if code := post(t, "FORM", target, receipt(attempts[i], "0E0000000000000"+strconv.Itoa(i), st[0], st[1])); code != http.StatusNoContent {
			t.Fatalf("receipt %v: %d", st, code)
		}
	}
	if p := progress(); p.Invited != 1 || p.Failed != 2 {
		t.Errorf("after two failures: invited %d failed %d, want 1 and 2", p.Invited, p.Failed)
	}
	for code, wantIDs := range map[string][]int64{"delivery_rejected": {ids[0]}, "delivery_failed": {ids[1]}} {
		r := d.do(t, "GET", "/api/v1/users?error_code="+code, d.adminToken, nil)
		want(t, r, http.StatusOK)
		var got []int64
		for _, u := range decode[userListBody](t, r).Items {
			got = append(got, u.ID)
		}
		if !slices.Equal(got, wantIDs) {
			t.Errorf("error_code=%s lists %v, want %v", code, got, wantIDs)
		}
	}
}

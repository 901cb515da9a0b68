package httpapi_test

import (
	"bytes"
	"crypto/hmac"
	"crypto/md5"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/inviter/inviter/pkg/httpapi"
	"github.com/inviter/inviter/pkg/invite"
)

const (
	dlrToken  = "dlr-token-0123456789"
	dlrSecret = "signature-secret-abc"
)

type receiptBody struct {
	Status string    `json:"status"`
	At     time.Time `json:"at"`
	Detail string    `json:"detail"`
}

type historyBody struct {
	InviteStatus string      `json:"invite_status"`
	UserInvited  bool        `json:"user_invited"`
	InviteError  *reasonBody `json:"invite_error"`
	Invitations  []struct {
		ID      int64         `json:"id"`
		Status  string        `json:"status"`
		Receipt *receiptBody  `json:"receipt"`
		Reports []receiptBody `json:"reports"`
	} `json:"invitations"`
}

// dlrEnv is the API's environment plus the receipt webhook as pkg/app
// mounts it.
type dlrEnv struct {
	*env
	hook     *httpapi.VonageReceipts
	url      string
	smsUsers int
}

func newDLREnv(t *testing.T, cfg httpapi.VonageReceiptConfig) *dlrEnv {
	t.Helper()
	e := newEnv(t)
	hook := httpapi.NewVonageReceipts(e.store, cfg, slog.New(slog.DiscardHandler))
	mux := http.NewServeMux()
	hook.Register(mux)
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	return &dlrEnv{env: e, hook: hook, url: srv.URL + httpapi.VonageReceiptPath}
}

// smsUser creates a user with a phone only, invites and delivers them by
// SMS, and records the message id Vonage gave: the user is Invited.
func (d *dlrEnv) smsUser(t *testing.T, messageID string) (userID, invitationID int64) {
	t.Helper()
	d.smsUsers++
	u := d.createUser(t, map[string]any{"login": "sms" + strconv.Itoa(d.smsUsers), "first_name": "Olga", "last_name": "S",
		"phone": "+7905111111" + strconv.Itoa(d.smsUsers%10)})
	d.inviteIDs(t, u.ID)
	id := d.currentInvitation(t, u.ID)
	d.deliver(t, id, time.Hour)
	if err := d.store.RecordProviderRefs(t.Context(), id, []string{messageID}); err != nil {
		t.Fatal(err)
	}
	return u.ID, id
}

func (d *dlrEnv) history(t *testing.T, userID int64) historyBody {
	t.Helper()
	r := d.do(t, "GET", "/api/v1/users/"+strconv.FormatInt(userID, 10), d.rootToken, nil)
	want(t, r, http.StatusOK)
	return decode[historyBody](t, r)
}

// receipt builds the fields of a receipt as Vonage sends them.
func receipt(invitationID int64, messageID, status, errCode string) url.Values {
	return url.Values{
		"msisdn": {"79051111111"}, "to": {"Inviter"}, "network-code": {"25001"}, "messageId": {messageID},
		"price": {"0.03330000"}, "status": {status}, "scts": {"2611301007"}, "err-code": {errCode},
		"api-key": {"abcd1234"}, "client-ref": {strconv.FormatInt(invitationID, 10)},
		"message-timestamp": {"2026-11-30 10:07:30"},
	}
}

// post sends p the three ways Vonage can: GET query, POST form, POST JSON.
func post(t *testing.T, method, target string, p url.Values) int {
	t.Helper()
	var req *http.Request
	var err error
	switch method {
	case "GET":
		sep := "?"
		if strings.Contains(target, "?") {
			sep = "&"
		}
		req, err = http.NewRequest("GET", target+sep+p.Encode(), nil)
	case "FORM":
		req, err = http.NewRequest("POST", target, strings.NewReader(p.Encode()))
		if req != nil {
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		}
	case "JSON":
		obj := map[string]string{}
		for k := range p {
			obj[k] = p.Get(k)
		}
		b, _ := json.Marshal(obj)
		req, err = http.NewRequest("POST", target, bytes.NewReader(b))
		if req != nil {
			req.Header.Set("Content-Type", "application/json")
		}
	}
	if err != nil {
		t.Fatal(err)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	_, _ = io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	return resp.StatusCode
}

func TestVonageReceiptsOffWithoutToken(t *testing.T) {
	t.Parallel()
	d := newDLREnv(t, httpapi.VonageReceiptConfig{})
	userID, id := d.smsUser(t, "0A00000000000001")
	for _, m := range []string{"GET", "FORM", "JSON"} {
		if code := post(t, m, d.url+"?token=anything", receipt(id, "0A00000000000001", "failed", "9")); code != http.StatusNotFound {
			t.Errorf("%s with the endpoint off: %d, want 404", m, code)
		}
	}
	if h := d.history(t, userID); h.InviteStatus != "invited" {
		t.Errorf("a receipt changed the user with the endpoint off: %+v", h)
	}
}

// Each status, each way Vonage posts: failed/rejected/expired fail the user
// with the reason by err-code; delivered, accepted and buffered are history.
func TestVonageReceiptStatuses(t *testing.T) {
	t.Parallel()
	d := newDLREnv(t, httpapi.VonageReceiptConfig{Token: dlrToken})
	target := d.url + "?token=" + dlrToken
	tests := []struct {
		method, status, errCode string
		wantStatus, wantReason  string
		wantReceipt             string
	}{
		{"GET", "delivered", "0", "invited", "", "delivered"},
		{"FORM", "accepted", "0", "invited", "", "accepted"},
		{"JSON", "buffered", "0", "invited", "", "delayed"},
		{"FORM", "failed", "9", "error", invite.ReasonDeliveryRejected, "failed"},
		{"JSON", "rejected", "6", "error", invite.ReasonDeliveryFailed, "failed"},
		{"GET", "expired", "3", "error", invite.ReasonDeliveryRejected, "failed"},
		{"FORM", "failed", "11", "error", invite.ReasonDeliveryRejected, "failed"},
		{"JSON", "expired", "2", "error", invite.ReasonDeliveryFailed, "failed"},
	}
	for i, tt := range tests {
		msgID := "0B0000000000000" + strconv.Itoa(i)
		userID, id := d.smsUser(t, msgID)
		if code := post(t, tt.method, target, receipt(id, msgID, tt.status, tt.errCode)); code != http.StatusNoContent {
			t.Fatalf("%s %s: %d, want 204", tt.method, tt.status, code)
		}
		h := d.history(t, userID)
		inv := h.Invitations[0]
		if h.InviteStatus != tt.wantStatus || (tt.wantReason != "" && (h.InviteError == nil || h.InviteError.Code != tt.wantReason)) {
			t.Errorf("%s %s err %s: user %s %+v, want %s %s", tt.method, tt.status, tt.errCode, h.InviteStatus, h.InviteError, tt.wantStatus, tt.wantReason)
		}
		if inv.Receipt == nil || inv.Receipt.Status != tt.wantReceipt || len(inv.Reports) != 1 {
			t.Errorf("%s %s: receipt %+v, reports %+v; want %s", tt.method, tt.status, inv.Receipt, inv.Reports, tt.wantReceipt)
		}
		if tt.status == "delivered" && !inv.Receipt.At.Equal(time.Date(2026, 11, 30, 10, 7, 0, 0, time.UTC)) {
			t.Errorf("delivered at %v, want the receipt's scts", inv.Receipt.At)
		}
		if tt.wantStatus == "error" {
			c, err := d.store.LoginCandidate(t.Context(), "sms"+strconv.Itoa(d.smsUsers))
			if err != nil || len(c.PasswordHashes) != 0 {
				t.Errorf("%s: the failed SMS's password still works: %+v %v", tt.status, c, err)
			}
		}
	}
}

// Receipts that must change nothing: without or with a wrong token, about
// no known message, naming a message id the attempt was not given, for an
// attempt a newer one replaced (recorded only), and the same one twice.
func TestVonageReceiptsThatChangeNothing(t *testing.T) {
	t.Parallel()
	d := newDLREnv(t, httpapi.VonageReceiptConfig{Token: dlrToken})
	userID, id := d.smsUser(t, "0C00000000000001")
	failed := receipt(id, "0C00000000000001", "failed", "9")
	for _, target := range []string{d.url, d.url + "?token=wrong"} {
		for _, m := range []string{"GET", "FORM", "JSON"} {
			if code := post(t, m, target, failed); code != http.StatusUnauthorized {
				t.Errorf("%s %s: %d, want 401", m, target, code)
			}
		}
	}
	target := d.url + "?token=" + dlrToken
	if code := post(t, "FORM", target, url.Values{"status": {"failed"}}); code != http.StatusBadRequest {
		t.Errorf("a receipt without messageId: %d, want 400", code)
	}
	unknown := receipt(0, "0CFFFFFFFFFFFFFF", "failed", "9")
	unknown.Del("client-ref")
	otherID := receipt(id, "0CEEEEEEEEEEEEEE", "failed", "9")
	for _, p := range []url.Values{unknown, otherID} {
		if code := post(t, "FORM", target, p); code != http.StatusNoContent {
			t.Errorf("a well-formed receipt for no known message: %d, want 204", code)
		}
	}
	if got := d.hook.Dropped(); got != 2 {
		t.Errorf("dropped %d receipts, want 2", got)
	}
	if h := d.history(t, userID); h.InviteStatus != "invited" || len(h.Invitations[0].Reports) != 0 {
		t.Fatalf("receipts that must change nothing changed the user: %+v", h)
	}

	// Superseded: the old attempt's failure arrives after a newer delivery.
	d.inviteIDs(t, userID)
	newer := d.currentInvitation(t, userID)
	d.deliver(t, newer, time.Hour)
	if code := post(t, "FORM", target, failed); code != http.StatusNoContent {
		t.Fatalf("receipt for the replaced attempt: %d", code)
	}
	h := d.history(t, userID)
	if h.InviteStatus != "invited" || h.Invitations[1].ID != id || h.Invitations[1].Receipt.Status != "failed" {
		t.Errorf("a receipt of a replaced attempt: %+v", h)
	}

	// The same receipt twice is one report; the user fails once.
	if err := d.store.RecordProviderRefs(t.Context(), newer, []string{"0C00000000000002"}); err != nil {
		t.Fatal(err)
	}
	for range 2 {
		if code := post(t, "JSON", target, receipt(newer, "0C00000000000002", "rejected", "3")); code != http.StatusNoContent {
			t.Fatalf("receipt: %d", code)
		}
	}
	h = d.history(t, userID)
	if h.InviteStatus != "error" || len(h.Invitations[0].Reports) != 1 {
		t.Errorf("the same receipt twice: %+v", h)
	}
}

// md5hash signs as Vonage's default method does.
func md5hash(p url.Values, secret string) string {
	sum := md5.Sum([]byte(signingBase(p) + secret))
	return hex.EncodeToString(sum[:])
}

func hmacSHA256(p url.Values, secret string) string {
	m := hmac.New(sha256.New, []byte(secret))
	m.Write([]byte(signingBase(p)))
	return strings.ToUpper(hex.EncodeToString(m.Sum(nil)))
}

func signingBase(p url.Values) string {
	keys := make([]string, 0, len(p))
	for k := range p {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	var b strings.Builder
	for _, k := range keys {
		b.WriteString("&" + k + "=" + strings.NewReplacer("&", "_", "=", "_").Replace(p.Get(k)))
	}
	return b.String()
}

// With VONAGE_SIGNATURE_SECRET, only receipts Vonage signed count.
func TestVonageReceiptSignature(t *testing.T) {
	t.Parallel()
	d := newDLREnv(t, httpapi.VonageReceiptConfig{Token: dlrToken, SignatureSecret: dlrSecret})
	target := d.url + "?token=" + dlrToken
	userID, id := d.smsUser(t, "0D00000000000001")
	p := receipt(id, "0D00000000000001", "failed", "9")
	p.Set("timestamp", "1764497250")
	p.Set("nonce", "6f2a7c1e-0000-4000-8000-000000000001")

	bad := url.Values{}
	for k, v := range p {
		bad[k] = v
	}
	bad.Set("sig", md5hash(p, "another-secret"))
	for _, q := range []url.Values{p, bad} {
		for _, m := range []string{"GET", "FORM", "JSON"} {
			if code := post(t, m, target, q); code != http.StatusUnauthorized {
				t.Errorf("%s unsigned or badly signed: %d, want 401", m, code)
			}
		}
	}
	if h := d.history(t, userID); h.InviteStatus != "invited" {
		t.Fatalf("an unsigned receipt changed the user: %+v", h)
	}
	signed := url.Values{}
	for k, v := range p {
		signed[k] = v
	}
	signed.Set("sig", md5hash(p, dlrSecret))
	if code := post(t, "FORM", target, signed); code != http.StatusNoContent {
		t.Fatalf("md5hash-signed receipt: %d, want 204", code)
	}
	if h := d.history(t, userID); h.InviteStatus != "error" {
		t.Errorf("a signed failure did not fail the user: %+v", h)
	}

	// HMAC-SHA-256, upper-case hex, as JSON.
	user2, id2 := d.smsUser(t, "0D00000000000002")
	p2 := receipt(id2, "0D00000000000002", "expired", "3")
	p2.Set("timestamp", "1764497251")
	p2.Set("sig", hmacSHA256(p2, dlrSecret))
	if code := post(t, "JSON", target, p2); code != http.StatusNoContent {
		t.Fatalf("sha256-signed receipt: %d, want 204", code)
	}
	if h := d.history(t, user2); h.InviteStatus != "error" {
		t.Errorf("a signed expiry did not fail the user: %+v", h)
	}
}

// A failure receipt that overtakes the worker's record of the delivery is
// answered 503, so that Vonage sends it again once the delivery is recorded.
func TestVonageReceiptBeforeDeliveryRecorded(t *testing.T) {
	t.Parallel()
	d := newDLREnv(t, httpapi.VonageReceiptConfig{Token: dlrToken})
	target := d.url + "?token=" + dlrToken
	u := d.createUser(t, map[string]any{"login": "early", "first_name": "E", "last_name": "R", "phone": "+79053333333"})
	d.inviteIDs(t, u.ID)
	id := d.currentInvitation(t, u.ID)
	if _, err := d.store.ClaimAttempt(t.Context(), id, []byte("hash")); err != nil {
		t.Fatal(err)
	}
	p := receipt(id, "0F00000000000001", "failed", "9")
	if code := post(t, "FORM", target, p); code != http.StatusServiceUnavailable {
		t.Fatalf("a failure before the delivery record: %d, want 503", code)
	}
	d.deliver(t, id, time.Hour)
	if code := post(t, "FORM", target, p); code != http.StatusNoContent {
		t.Fatalf("Vonage's next try: %d", code)
	}
	if h := d.history(t, u.ID); h.InviteStatus != "error" {
		t.Errorf("user: %+v", h)
	}
}

package httpapi

import (
	"context"
	"crypto/subtle"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"mime"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"github.com/inviter/inviter/pkg/invite"
)

// ReceiptStore records delivery receipts (pkg/postgres).
type ReceiptStore interface {
	ApplyReport(ctx context.Context, r invite.DeliveryReport) (invite.ReportResult, error)
	AttemptByProviderRef(ctx context.Context, ref string) (int64, error)
}

// VonageReceiptConfig configures GET|POST /webhooks/vonage/delivery-receipt.
type VonageReceiptConfig struct {
	// Token (VONAGE_DLR_TOKEN) must come as ?token=; empty turns the
	// endpoint off (404).
	Token string
	// SignatureSecret (VONAGE_SIGNATURE_SECRET), when set, makes Vonage's
	// signature (sig) required and checked.
	SignatureSecret string
}

// VonageReceipts receives Vonage's SMS delivery receipts. It answers 2xx
// to every well-formed receipt, even one it drops (an unknown message), so
// that Vonage does not send it again and again; 400 to a malformed one, 401
// without the token or the signature, 503 when the database is away or the
// failure overtook the worker's record of the delivery (Vonage retries
// later, which is what we want then).
type VonageReceipts struct {
	store   ReceiptStore
	cfg     VonageReceiptConfig
	log     *slog.Logger
	dropped atomic.Int64
}

// NewVonageReceipts returns the webhook handler.
func NewVonageReceipts(store ReceiptStore, cfg VonageReceiptConfig, log *slog.Logger) *VonageReceipts {
	return &VonageReceipts{store: store, cfg: cfg, log: log}
}

// VonageReceiptPath is where Vonage sends receipts.
const VonageReceiptPath = "/webhooks/vonage/delivery-receipt"

// Register mounts the endpoint on mux, for GET and POST.
func (v *VonageReceipts) Register(mux *http.ServeMux) {
	mux.Handle("GET "+VonageReceiptPath, v)
	mux.Handle("POST "+VonageReceiptPath, v)
}

// Dropped counts well-formed receipts that matched no attempt.
func (v *VonageReceipts) Dropped() int64 { return v.dropped.Load() }

// maxReceiptBody bounds a receipt; a real one is about 400 bytes.
const maxReceiptBody = 16 << 10

// receiptTimeout keeps the answer quick: Vonage waits a few seconds only.
const receiptTimeout = 5 * time.Second

func (v *VonageReceipts) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if v.cfg.Token == "" {
		writeJSON(w, http.StatusNotFound, errorBody{Error: errorDetail{Code: "not_found", Message: "delivery receipts are not enabled"}})
		return
	}
	got := r.URL.Query().Get("token")
	if subtle.ConstantTimeCompare([]byte(got), []byte(v.cfg.Token)) != 1 {
		writeJSON(w, http.StatusUnauthorized, errorBody{Error: errorDetail{Code: "unauthorized", Message: "a valid token is required", Field: "token"}})
		return
	}
	params, err := receiptParams(w, r)
	if err != nil || params.Get("messageId") == "" || params.Get("status") == "" {
		writeJSON(w, http.StatusBadRequest, errorBody{Error: errorDetail{Code: "invalid_receipt",
			Message: "a delivery receipt needs messageId and status", Field: "messageId"}})
		return
	}
	if v.cfg.SignatureSecret != "" && !checkVonageSignature(params, v.cfg.SignatureSecret) {
		v.log.WarnContext(r.Context(), "Vonage receipt with a bad or missing signature refused", "message_id", params.Get("messageId"))
		writeJSON(w, http.StatusUnauthorized, errorBody{Error: errorDetail{Code: "bad_signature", Message: "the signature does not match", Field: "sig"}})
		return
	}
	ctx, cancel := context.WithTimeout(r.Context(), receiptTimeout)
	defer cancel()
	if err := v.apply(ctx, params); err != nil {
		v.log.ErrorContext(ctx, "Vonage receipt not recorded", "message_id", params.Get("messageId"), "err", err)
		writeJSON(w, http.StatusServiceUnavailable, errorBody{Error: errorDetail{Code: "unavailable", Message: "try again later"}})
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

// apply records a well-formed receipt; one that matches no attempt (or
// whose status means nothing) is dropped, counted and logged.
func (v *VonageReceipts) apply(ctx context.Context, p url.Values) error {
	messageID := p.Get("messageId")
	report, ok := vonageReport(p)
	if !ok {
		return nil // "unknown": Vonage does not know either
	}
	if id, err := strconv.ParseInt(p.Get("client-ref"), 10, 64); err == nil && id > 0 {
		report.InvitationID = id
	} else {
		id, err := v.store.AttemptByProviderRef(ctx, messageID)
		if errors.Is(err, invite.ErrUnknownAttempt) {
			v.drop(ctx, p)
			return nil
		}
		if err != nil {
			return err
		}
		report.InvitationID = id
	}
	res, err := v.store.ApplyReport(ctx, report)
	if errors.Is(err, invite.ErrUnknownAttempt) {
		v.drop(ctx, p)
		return nil
	}
	if err != nil {
		return err
	}
	v.log.InfoContext(ctx, "Vonage receipt recorded", "invitation_id", report.InvitationID, "status", p.Get("status"),
		"err_code", p.Get("err-code"), "effect", res.Effect, "duplicate", res.Duplicate)
	return nil
}

func (v *VonageReceipts) drop(ctx context.Context, p url.Values) {
	v.dropped.Add(1)
	v.log.WarnContext(ctx, "Vonage receipt for no known message dropped", "message_id", p.Get("messageId"),
		"client_ref", p.Get("client-ref"))
}

// vonageReport turns a receipt into a report: delivered records the
// delivery time; failed, rejected and expired fail the user as a bounce
// would; accepted and buffered are history.
func vonageReport(p url.Values) (invite.DeliveryReport, bool) {
	status := strings.ToLower(p.Get("status"))
	errCode := p.Get("err-code")
	r := invite.DeliveryReport{
		Channel: invite.ChannelSMS, Kind: invite.ReportSMS, Source: "vonage", ProviderRef: p.Get("messageId"),
		Reporter: p.Get("network-code"), At: receiptTime(p),
		DedupeKey: "vonage:" + p.Get("messageId") + ":" + status + ":" + errCode,
	}
	switch status {
	case "delivered":
		r.Status, r.Detail = invite.ReceiptDelivered, "delivered to the handset"
	case "accepted":
		r.Status, r.Detail = invite.ReceiptAccepted, "accepted by the mobile network"
	case "buffered":
		r.Status, r.Detail = invite.ReceiptDelayed, "buffered by the mobile network"
	case "failed", "rejected", "expired":
		r.Status = invite.ReceiptFailed
		r.Reason, r.Detail = vonageReceiptError(errCode)
		r.Code = errCode
		r.Detail = status + ": " + r.Detail
	default:
		return r, false
	}
	return r, true
}

// receiptTime is when the network reports the event: scts (YYMMDDHHMM,
// the delivery time) for a delivered message, else message-timestamp.
func receiptTime(p url.Values) time.Time {
	if t, err := time.Parse("0601021504", p.Get("scts")); err == nil && strings.EqualFold(p.Get("status"), "delivered") {
		return t
	}
	if t, err := time.Parse(time.DateTime, p.Get("message-timestamp")); err == nil {
		return t
	}
	return time.Now()
}

// receiptParams reads the receipt's fields from the query (GET), a form or
// a JSON object (POST), whichever way Vonage was told to send them.
func receiptParams(w http.ResponseWriter, r *http.Request) (url.Values, error) {
	q := r.URL.Query()
	q.Del("token")
	if r.Method != http.MethodPost {
		return q, nil
	}
	r.Body = http.MaxBytesReader(w, r.Body, maxReceiptBody)
	ct, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if ct == "application/json" {
		var obj map[string]any
		dec := json.NewDecoder(r.Body)
		dec.UseNumber()
		if err := dec.Decode(&obj); err != nil {
			return nil, err
		}
		for k, val := range obj {
			switch x := val.(type) {
			case string:
				q.Set(k, x)
			case json.Number, bool:
				q.Set(k, fmt.Sprint(x))
			}
		}
		return q, nil
	}
	body, err := io.ReadAll(r.Body)
	if err != nil {
		return nil, err
	}
	form, err := url.ParseQuery(string(body))
	if err != nil {
		return nil, err
	}
	for k, vs := range form {
		q[k] = vs
	}
	return q, nil
}

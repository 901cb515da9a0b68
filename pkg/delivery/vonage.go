package delivery

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/vonage/vonage-go-sdk"

	"github.com/inviter/inviter/pkg/invite"
)

// VonageConfig is how to reach Vonage's SMS API.
type VonageConfig struct {
	APIKey    string
	APISecret string
	From      string // a Vonage number or an alphanumeric sender id
	BaseURL   string // default "https://rest.nexmo.com/sms"; tests point it at a local server
	// Timeout bounds one HTTP exchange, connection included (default 15s).
	Timeout time.Duration
	// ReceiptURL is where Vonage posts delivery receipts (VONAGE_DLR_URL);
	// empty: the account's default webhook.
	ReceiptURL string
	// Refs keeps the message ids Vonage gives each SMS, which its receipts
	// carry back (vonagerefs.go); nil keeps none.
	Refs RefRecorder
}

const (
	defaultVonageBaseURL = "https://rest.nexmo.com/sms"
	defaultVonageTimeout = 15 * time.Second
	vonageKeyLen         = 8 // as Vonage issues them, and as the SDK insists
)

// VonageSender sends invitations by SMS through Vonage's SMS API with the
// official SDK. The SDK has traps, each handled here: it ignores contexts,
// it reports a refused message as success with a status, and it panics on
// an answer without messages.
type VonageSender struct {
	cfg       VonageConfig
	tpl       *Templates
	log       *slog.Logger
	transport http.RoundTripper // shared, so keep-alive connections are reused
}

var _ Sender = (*VonageSender)(nil)

// NewVonageSender returns a sender for cfg.
func NewVonageSender(cfg VonageConfig, tpl *Templates, log *slog.Logger) *VonageSender {
	if cfg.BaseURL == "" {
		cfg.BaseURL = defaultVonageBaseURL
	}
	cfg.BaseURL = strings.TrimRight(cfg.BaseURL, "/")
	if cfg.Timeout <= 0 {
		cfg.Timeout = defaultVonageTimeout
	}
	t := &http.Transport{Proxy: http.ProxyFromEnvironment}
	if dt, ok := http.DefaultTransport.(*http.Transport); ok {
		t = dt.Clone()
	}
	// Workers send concurrently to one host; the default of 2 idle
	// connections per host would make most requests dial.
	t.MaxIdleConnsPerHost = 16
	return &VonageSender{cfg: cfg, tpl: tpl, log: log, transport: t}
}

// Send texts the invitation m to m.To, an E.164 number.
func (s *VonageSender) Send(ctx context.Context, m invite.Message) error {
	// The SDK refuses any other key length before sending anything, with an
	// error that would look like a network failure and be retried forever.
	if len(s.cfg.APIKey) != vonageKeyLen {
		return badMessage(invite.Permanent, "delivery: Vonage API key must be %d characters, got %d", vonageKeyLen, len(s.cfg.APIKey))
	}
	sms, err := s.tpl.RenderSMS(m)
	if err != nil {
		return failure(invite.Permanent, "", "", err)
	}
	// Vonage wants the E.164 digits without "+"; the SDK checks the length.
	to := strings.TrimPrefix(m.To, "+")
	if !validMSISDN(to) {
		return badMessage(invite.Rejected, "delivery: invitation %d: bad phone number %q", m.InvitationID, m.To)
	}
	if err := ctx.Err(); err != nil {
		return failure(invite.Transient, "", "", fmt.Errorf("delivery: vonage: %w", err))
	}
	res, errResp, ex, err := s.call(ctx, m.InvitationID, to, sms)
	if de := classifyVonage(res, errResp, ex, err); de != nil {
		s.log.LogAttrs(ctx, slog.LevelWarn, "SMS not delivered", slog.Any("invitation", m),
			slog.String("class", de.Class.String()), slog.String("vonage_status", de.ProviderCode),
			slog.String("error", de.Error()))
		return de
	}
	attrs := []slog.Attr{slog.Any("invitation", m), slog.Int("segments", SMSSegments(sms))}
	if len(res.Messages) > 0 {
		attrs = append(attrs, slog.String("message_id", res.Messages[0].MessageId),
			slog.String("price", res.Messages[0].MessagePrice))
	}
	s.log.LogAttrs(ctx, slog.LevelDebug, "SMS sent", attrs...)
	s.recordRefs(ctx, m.InvitationID, res)
	return nil
}

// errNoMessages is an answer with an empty "messages" array, on which the
// SDK panics.
var errNoMessages = errors.New("vonage answered without a message status")

// call sends one SMS with the SDK. A client is built per call: the SDK keeps
// its HTTP client in a shared Configuration, and the transport that carries
// this call's context and records its response must not be seen by another
// goroutine's call.
func (s *VonageSender) call(ctx context.Context, invitationID int64, to, text string) (
	res vonage.Sms, errResp vonage.SmsErrorResponse, ex *exchange, err error) {
	ex = &exchange{}
	client := vonage.NewSMSClient(vonage.CreateAuthFromKeySecret(s.cfg.APIKey, s.cfg.APISecret))
	client.Config.BasePath = s.cfg.BaseURL
	client.Config.HTTPClient = &http.Client{
		Timeout:   s.cfg.Timeout,
		Transport: &callTransport{ctx: ctx, base: s.transport, ex: ex},
	}
	opts := vonage.SMSOpts{
		// Delivery receipts carry client-ref back: it ties them to the row.
		ClientRef: strconv.FormatInt(invitationID, 10),
	}
	s.askReceipt(&opts)
	if !isGSM7(text) {
		opts.Type = "unicode" // without it Vonage mangles Cyrillic
	}
	defer func() {
		// The SDK indexes messages[0] without a length check.
		if p := recover(); p != nil {
			err = fmt.Errorf("%w (SDK panic: %v)", errNoMessages, p)
		}
	}()
	res, errResp, err = client.Send(s.cfg.From, to, text, opts)
	return res, errResp, ex, err
}

// validMSISDN reports whether to is an international number in digits, as
// long as E.164 allows (and the SDK checks).
func validMSISDN(to string) bool {
	if len(to) < 7 || len(to) > 15 {
		return false
	}
	for _, r := range to {
		if r < '0' || r > '9' {
			return false
		}
	}
	return true
}

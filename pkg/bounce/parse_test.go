package bounce_test

import (
	"bytes"
	"fmt"
	"strings"
	"testing"

	"github.com/inviter/inviter/pkg/bounce"
	"github.com/inviter/inviter/pkg/invite"
)

func TestParseFormats(t *testing.T) {
	t.Parallel()
	v := testVERP(t)
	tests := []struct {
		file, format, kind, status, reason, diagnostic, reporter string
	}{
		{"dsn_postfix_user_unknown.eml", bounce.FormatDSN, invite.ReportBounce, "5.1.1", invite.ReasonDeliveryRejected,
			"550 5.1.1 <anna@corp.example.com>: Recipient address rejected: User unknown in virtual mailbox table", "relay.example.com"},
		{"dsn_exchange_mailbox_full.eml", bounce.FormatDSN, invite.ReportBounce, "5.2.2", invite.ReasonDeliveryFailed,
			"552 5.2.2 STOREDRV.Deliver; mailbox full", "EX01.corp.example.com"},
		{"exchange_ndr_text.eml", bounce.FormatExchange, invite.ReportBounce, "5.1.10", invite.ReasonDeliveryRejected,
			"550 5.1.10 RESOLVER.ADR.RecipientNotFound; Recipient not found by SMTP address lookup", ""},
		{"postfix_text_only.eml", bounce.FormatPostfix, invite.ReportBounce, "5.1.1", invite.ReasonDeliveryRejected,
			"", ""},
		{"gmail_address_not_found.eml", bounce.FormatGmail, invite.ReportBounce, "5.1.1", invite.ReasonDeliveryRejected,
			"550 5.1.1 The email account that you tried to reach does not exist.", ""},
		{"dsn_delayed.eml", bounce.FormatDSN, invite.ReportDelay, "4.4.1", "",
			"connect to mx.corp.example.com[192.0.2.25]:25: Connection timed out", "relay.example.com"},
		{"auto_reply.eml", bounce.FormatAutoReply, invite.ReportAutoReply, "", "", "", ""},
		{"human_reply.eml", "", "", "", "", "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			raw := fixture(t, v, tt.file, 42, "anna@corp.example.com")
			rep, err := bounce.Parse(bytes.NewReader(raw))
			if err != nil {
				t.Fatal(err)
			}
			if rep.Format != tt.format || rep.Kind != tt.kind || rep.Status != tt.status {
				t.Errorf("format, kind, status = %q, %q, %q; want %q, %q, %q", rep.Format, rep.Kind, rep.Status, tt.format, tt.kind, tt.status)
			}
			if tt.kind == invite.ReportBounce {
				if got := bounce.Reason(rep.Status); got != tt.reason {
					t.Errorf("reason = %q, want %q", got, tt.reason)
				}
			}
			if !strings.Contains(rep.Diagnostic, tt.diagnostic) {
				t.Errorf("diagnostic = %q, want it to contain %q", rep.Diagnostic, tt.diagnostic)
			}
			if rep.ReportingMTA != tt.reporter {
				t.Errorf("reporting MTA = %q, want %q", rep.ReportingMTA, tt.reporter)
			}
			if tt.kind != "" && tt.kind != invite.ReportAutoReply {
				if id, ok := v.FindTag(rep.Original); !ok || id != 42 {
					t.Errorf("tag of the returned original: %d, %v; want 42", id, ok)
				}
			}
			if s := fmt.Sprintf("%+v", rep); strings.Contains(s, bodySecret) {
				t.Errorf("the parser kept the returned message's body: %s", s)
			}
		})
	}
}

func TestParseNotMIME(t *testing.T) {
	t.Parallel()
	if _, err := bounce.Parse(strings.NewReader("\x00\x01 not a header\n")); err == nil {
		t.Error("Parse accepted a message without a header")
	}
}

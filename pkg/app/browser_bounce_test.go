package app_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/smtp"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/inviter/inviter/pkg/testenv"
)

// bounceListener waits for the worker's bounce listener and returns the
// address it bound (the test asks for port 0).
func bounceListener(t *testing.T, s *service) string {
	t.Helper()
	var addr string
	eventually(t, 20*time.Second, "the bounce listener", func() bool {
		for _, line := range strings.Split(s.Logs.String(), "\n") {
			var rec struct{ Msg, Addr string }
			if json.Unmarshal([]byte(line), &rec) == nil && rec.Msg == "bounce listener listening" {
				addr = rec.Addr
				return true
			}
		}
		return false
	})
	return addr
}

// postfixBounce is what a relay writes when the recipient's server says
// 550 5.1.1 after it accepted the message: a DSN to the envelope sender,
// with the original's headers (RET=HDRS).
func postfixBounce(envelopeFrom, rcpt, originalHeaders string) string {
	return strings.ReplaceAll(fmt.Sprintf(`From: MAILER-DAEMON@relay.example.com (Mail Delivery System)
To: %[1]s
Subject: Undelivered Mail Returned to Sender
Message-Id: <bounce-%[3]d@relay.example.com>
MIME-Version: 1.0
Content-Type: multipart/report; report-type=delivery-status; boundary="b1"

--b1
Content-Type: text/plain

<%[2]s>: host mx.example.com[192.0.2.1] said: 550 5.1.1 <%[2]s>: user unknown

--b1
Content-Type: message/delivery-status

Reporting-MTA: dns; relay.example.com

Final-Recipient: rfc822; %[2]s
Action: failed
Status: 5.1.1
Diagnostic-Code: smtp; 550 5.1.1 <%[2]s>: user unknown

--b1
Content-Type: text/rfc822-headers

%[4]s
--b1--
`, envelopeFrom, rcpt, time.Now().UnixNano(), originalHeaders), "\n", "\r\n")
}

// headersOf returns the header section of a raw message.
func headersOf(raw []byte) string {
	s := strings.ReplaceAll(string(raw), "\r\n", "\n")
	if i := strings.Index(s, "\n\n"); i >= 0 {
		s = s[:i]
	}
	return s
}

// TestBounceEndToEnd: invite, deliver, bounce, see Error with the reason on
// the card, fix the address, send again, Invited. And an SMS whose Vonage
// receipt says it failed.
func TestBounceEndToEnd(t *testing.T) {
	t.Parallel()
	s := startService(t, options{Env: map[string]string{
		"BOUNCE_ADDRESS": "bounces@bounce.example.com", "BOUNCE_SMTP_ADDR": "127.0.0.1:0",
		"VONAGE_DLR_TOKEN": "receipt-token-123",
	}})
	logsOnFailure(t, s)
	api := s.API + "/api/v1"
	tok := adminToken(t, s)

	var anna, boris user
	call(t, "POST", api+"/users", tok, map[string]string{"login": "anna", "first_name": "Anna", "last_name": "Ivanova",
		"email": "anna@gone.example.com"}, &anna, http.StatusCreated)
	call(t, "POST", api+"/users", tok, map[string]string{"login": "boris", "first_name": "Boris", "last_name": "Petrov",
		"phone": "+79051111111"}, &boris, http.StatusCreated)
	call(t, "POST", api+"/invitations", tok, map[string]any{"user_ids": []int64{anna.ID, boris.ID}}, nil, http.StatusAccepted)
	waitStatus(t, api, tok, anna.ID, "invited")
	waitStatus(t, api, tok, boris.ID, "invited")

	// The relay took the message; the mailbox does not exist, and the
	// bounce comes back to the envelope sender, the attempt's VERP address.
	mail := s.SMTP.WaitMessages(t, 1, 10*time.Second)[0]
	if !strings.HasPrefix(mail.From, "bounces+") || !strings.HasSuffix(mail.From, "@bounce.example.com") {
		t.Fatalf("envelope sender %q is not a VERP address", mail.From)
	}
	_, password := testenv.Credentials(t, testenv.MailText(t, mail.Data))
	addr := bounceListener(t, s)
	if err := smtp.SendMail(addr, nil, "", []string{mail.From},
		[]byte(postfixBounce(mail.From, "anna@gone.example.com", headersOf(mail.Data)))); err != nil {
		t.Fatalf("the bounce listener refused the bounce: %v", err)
	}
	if err := smtp.SendMail(addr, nil, "", []string{"anna@gone.example.com"}, []byte("Subject: relay me\r\n\r\nx")); err == nil {
		t.Error("the bounce listener relayed a message")
	}
	var u struct {
		user
		Invitations []struct {
			ID      int64
			Receipt *struct{ Status, Detail string }
		}
	}
	eventually(t, 10*time.Second, "anna in error", func() bool {
		call(t, "GET", api+"/users/"+itoa(anna.ID), tok, nil, &u, http.StatusOK)
		return u.InviteStatus == "error"
	})
	if u.UserInvited || u.InviteError == nil || u.InviteError.Code != "delivery_rejected" ||
		u.Invitations[0].Receipt == nil || u.Invitations[0].Receipt.Status != "bounced" {
		t.Fatalf("anna after the bounce: %+v %+v", u, u.Invitations)
	}
	call(t, "POST", api+"/auth/login", "", map[string]string{"login": "anna", "password": password}, nil, http.StatusUnauthorized)

	// Boris's SMS: Vonage's receipt says the number is unroutable.
	sms := s.Vonage.WaitMessages(t, 1, 10*time.Second)[0]
	form := url.Values{"msisdn": {sms.To}, "to": {"Inviter"}, "messageId": {sms.MessageID}, "status": {"failed"},
		"err-code": {"11"}, "client-ref": {sms.ClientRef}, "network-code": {"25001"}, "message-timestamp": {"2026-11-30 10:07:30"}}
	resp, err := http.PostForm(s.API+"/webhooks/vonage/delivery-receipt?token=receipt-token-123", form)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusNoContent {
		t.Fatalf("receipt: %d", resp.StatusCode)
	}
	waitStatus(t, api, tok, boris.ID, "error")

	// The card says so, in words.
	b := newBrowser(t, s.API, 1280, 900)
	b.signIn("admin", adminPassword, "/users")
	b.open("/users/" + itoa(anna.ID))
	if got := b.text(".profile"); !strings.Contains(got, "Error") || !strings.Contains(got, "user unknown") {
		t.Errorf("anna's card does not show the error and its reason: %q", got)
	}
	if got := b.text(".history .receipts"); !strings.Contains(got, "Accepted by the mail server") ||
		!strings.Contains(got, "Bounced") || !strings.Contains(got, "5.1.1") {
		t.Errorf("anna's history does not tell the message's path: %q", got)
	}
	b.screenshot("card-bounced")
	b.open("/users/" + itoa(boris.ID))
	if got := b.text(".history .receipts"); !strings.Contains(got, "Not delivered") || !strings.Contains(got, "unroutable") {
		t.Errorf("boris's history: %q", got)
	}

	// Fix the address (directly in the database: PATCH /api/v1/users/{id}
	// is another branch's) and send again.
	if _, err := s.DB.DB.Exec(`UPDATE users SET email = 'anna@example.com' WHERE id = $1`, anna.ID); err != nil {
		t.Fatal(err)
	}
	call(t, "POST", api+"/invitations", tok, map[string]any{"user_ids": []int64{anna.ID}}, nil, http.StatusAccepted)
	waitStatus(t, api, tok, anna.ID, "invited")
	b.open("/users/" + itoa(anna.ID))
	if got := b.text(".profile"); !strings.Contains(got, "Invited") {
		t.Errorf("anna's card after sending again: %q", got)
	}
	if b.text("#user-invited") == "" {
		t.Error("the User invited mark is missing after the new delivery")
	}
}

package app_test

import (
	"net/http"
	"testing"
	"time"

	"github.com/inviter/inviter/pkg/testenv"
)

// TestBounceMailbox: the worker reads a bounce mailbox over IMAP
// (BOUNCE_IMAP_URL) and the bounce there fails the user; the mailbox is
// emptied.
func TestBounceMailbox(t *testing.T) {
	t.Parallel()
	mb := testenv.StartIMAP(t, false)
	s := startService(t, options{Env: map[string]string{
		"BOUNCE_ADDRESS":       "bounces@bounce.example.com",
		"BOUNCE_IMAP_URL":      "imap://" + testenv.IMAPUser + ":" + testenv.IMAPPassword + "@" + mb.Addr() + "/INBOX",
		"BOUNCE_POLL_INTERVAL": "100ms",
	}})
	logsOnFailure(t, s)
	api := s.API + "/api/v1"
	tok := adminToken(t, s)
	u := createUser(t, api, tok, map[string]string{"login": "anna", "first_name": "Anna", "last_name": "I",
		"email": "anna@gone.example.com"})
	call(t, "POST", api+"/invitations", tok, map[string]any{"user_ids": []int64{u.ID}}, nil, http.StatusAccepted)
	waitStatus(t, api, tok, u.ID, "invited")
	mail := s.SMTP.WaitMessages(t, 1, 10*time.Second)[0]
	// The mailbox got the bounce; the envelope address is gone (a shared
	// mailbox), so the original's headers must name the attempt.
	mb.Put(t, []byte(postfixBounce("bounces@bounce.example.com", "anna@gone.example.com", headersOf(mail.Data))))
	waitStatus(t, api, tok, u.ID, "error")
	eventually(t, 10*time.Second, "the mailbox emptied", func() bool { return mb.Count(t, "INBOX") == 0 })
	if contains(s.Logs.String(), testenv.IMAPPassword) {
		t.Error("the mailbox password reached the logs")
	}
}

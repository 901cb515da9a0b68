package app_test

import (
	"context"
	"io"
	"net"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/inviter/inviter/pkg/app"
	"github.com/inviter/inviter/pkg/testenv"
)

type user struct {
	ID           int64  `json:"id"`
	Login        string `json:"login"`
	InviteStatus string `json:"invite_status"`
	UserInvited  bool   `json:"user_invited"`
	InviteError  *struct {
		Code, Message string
	} `json:"invite_error"`
}

type loginResp struct {
	Token              string `json:"token"`
	MustChangePassword bool   `json:"must_change_password"`
	Role               string `json:"role"`
}

// TestEndToEnd drives the real api and worker programs over HTTP: an admin
// signs in, creates users, sends invitations; e-mail and SMS go through
// loopback servers speaking SMTP and Vonage's API; the invited user signs in
// with the credentials read out of the message and chooses a password.
func TestEndToEnd(t *testing.T) {
	t.Parallel()
	s := startService(t, options{})
	for _, base := range []string{s.API, s.WorkerHealth} {
		call(t, "GET", base+"/healthz", "", nil, nil, http.StatusOK)
		call(t, "GET", base+"/readyz", "", nil, nil, http.StatusOK)
	}
	api := s.API + "/api/v1"
	var admin loginResp
	call(t, "POST", api+"/auth/login", "", map[string]string{"login": "admin", "password": adminPassword}, &admin, http.StatusOK)
	if admin.Role != "super_admin" || admin.MustChangePassword {
		t.Fatalf("admin login: %+v", admin)
	}
	tok := admin.Token

	var anna, boris, olga user
	call(t, "POST", api+"/users", tok, map[string]string{"first_name": "Anna", "last_name": "Ivanova", "email": "anna@example.com", "locale": "ru"}, &anna, http.StatusCreated)
	call(t, "POST", api+"/users", tok, map[string]string{"login": "boris", "first_name": "Boris", "last_name": "Petrov", "phone": "+7 905 111-11-11"}, &boris, http.StatusCreated)
	call(t, "POST", api+"/users", tok, map[string]string{"login": "olga", "first_name": "Olga", "last_name": "Sidorova", "phone": "9051111111"}, &olga, http.StatusCreated)

	var res struct {
		Queued, Rejected int
		Results          []struct {
			UserID       int64  `json:"user_id"`
			InviteStatus string `json:"invite_status"`
			Error        *struct{ Code string }
		}
	}
	call(t, "POST", api+"/invitations", tok, map[string]any{"user_ids": []int64{anna.ID, boris.ID, olga.ID}}, &res, http.StatusAccepted)
	if res.Queued != 2 || res.Rejected != 1 {
		t.Fatalf("invite: %+v, want 2 queued and olga rejected", res)
	}

	waitStatus(t, api, tok, anna.ID, "invited")
	waitStatus(t, api, tok, boris.ID, "invited")
	var o user
	call(t, "GET", api+"/users/"+itoa(olga.ID), tok, nil, &o, http.StatusOK)
	if o.InviteStatus != "error" || o.InviteError == nil || o.InviteError.Code != "phone_without_country_code" {
		t.Fatalf("olga: %+v", o)
	}

	mails := s.SMTP.WaitMessages(t, 1, 10*time.Second)
	login, password := testenv.Credentials(t, testenv.MailText(t, mails[0].Data))
	if login != anna.Login || mails[0].To[0] != "anna@example.com" {
		t.Fatalf("e-mail to %v for login %q, want anna", mails[0].To, login)
	}
	sms := s.Vonage.WaitMessages(t, 1, 10*time.Second)
	smsLogin, smsPassword := testenv.Credentials(t, sms[0].Text)
	if smsLogin != "boris" || sms[0].To != "79051111111" {
		t.Fatalf("sms %+v", sms[0])
	}

	for _, c := range [][2]string{{login, password}, {smsLogin, smsPassword}} {
		var l loginResp
		call(t, "POST", api+"/auth/login", "", map[string]string{"login": c[0], "password": c[1]}, &l, http.StatusOK)
		if !l.MustChangePassword || l.Role != "user" {
			t.Fatalf("invited login: %+v", l)
		}
		call(t, "GET", api+"/users", l.Token, nil, nil, http.StatusForbidden)
		call(t, "POST", api+"/auth/password", l.Token, map[string]string{"old_password": c[1], "new_password": "a-password-I-chose"}, nil, http.StatusNoContent)
		call(t, "POST", api+"/auth/login", "", map[string]string{"login": c[0], "password": c[1]}, nil, http.StatusUnauthorized)
		call(t, "POST", api+"/auth/login", "", map[string]string{"login": c[0], "password": "a-password-I-chose"}, &l, http.StatusOK)
	}

	if logs := s.Logs.String(); contains(logs, password) || contains(logs, smsPassword) {
		t.Fatalf("a temporary password reached the logs")
	}
	s.stop()
}

func waitStatus(t *testing.T, api, tok string, id int64, want string) {
	t.Helper()
	var u user
	eventually(t, 20*time.Second, "user "+itoa(id)+" to be "+want, func() bool {
		call(t, "GET", api+"/users/"+itoa(id), tok, nil, &u, http.StatusOK)
		return u.InviteStatus == want
	})
	if want == "invited" && !u.UserInvited {
		t.Fatalf("user %d invited without the mark: %+v", id, u)
	}
}

// createUser adds a user through the API as an admin would.
func createUser(t *testing.T, api, tok string, body map[string]string) user {
	t.Helper()
	var u user
	call(t, "POST", api+"/users", tok, body, &u, http.StatusCreated)
	return u
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

// Worker replicas run side by side: three of them share a batch, and every
// user gets exactly one message whose password works.
func TestWorkerReplicas(t *testing.T) {
	t.Parallel()
	s := startService(t, options{Workers: 3})
	api := s.API + "/api/v1"
	tok := adminToken(t, s)
	const n = 60
	ids := seedUsers(t, s.DB, n)
	call(t, "POST", api+"/invitations", tok, map[string]any{"user_ids": ids}, nil, http.StatusAccepted)
	eventually(t, 30*time.Second, "every user invited", func() bool { return countStatus(t, s.DB, "invited") == n })
	mails := s.SMTP.WaitMessages(t, n, 10*time.Second)
	perUser := map[string]int{}
	for _, m := range mails {
		perUser[m.To[0]]++
	}
	if len(mails) != n || len(perUser) != n {
		t.Fatalf("%d messages to %d addresses, want one each to %d users", len(mails), len(perUser), n)
	}
	login, password := testenv.Credentials(t, testenv.MailText(t, mails[n/2].Data))
	call(t, "POST", api+"/auth/login", "", map[string]string{"login": login, "password": password}, nil, http.StatusOK)
	if got := strings.Count(s.Logs.String(), `"msg":"worker health listening"`); got != 3 {
		t.Errorf("%d workers listening, want 3", got)
	}
}

// SIGTERM (a cancelled context for run) lets the task in flight finish: the
// message being sent when the stop comes is delivered and recorded before
// the worker returns.
func TestShutdownFinishesTheTaskInFlight(t *testing.T) {
	t.Parallel()
	s := startService(t, options{})
	api := s.API + "/api/v1"
	tok := adminToken(t, s)
	ids := seedUsers(t, s.DB, 1)
	s.SMTP.Stall(time.Hour) // the send will hang until released
	call(t, "POST", api+"/invitations", tok, map[string]any{"user_ids": ids}, nil, http.StatusAccepted)
	eventually(t, 10*time.Second, "the send to start", func() bool { return s.SMTP.Connections() > 0 })

	stopped := make(chan struct{})
	go func() { s.stop(); close(stopped) }()
	select {
	case <-stopped:
		t.Fatal("the programs stopped while a task was in flight")
	case <-time.After(300 * time.Millisecond): // they must still be waiting for the send
	}
	s.SMTP.Stall(0)
	select {
	case <-stopped:
	case <-time.After(30 * time.Second):
		t.Fatal("the programs did not stop after the task finished")
	}
	if got := countStatus(t, s.DB, "invited"); got != 1 {
		t.Fatalf("%d users invited after shutdown, want 1: the task in flight was not finished", got)
	}
	if n := len(s.SMTP.Messages()); n != 1 {
		t.Fatalf("%d messages, want 1", n)
	}
}

// With DEV_OUTBOX=1 and no SMTP server and no Vonage account configured
// (make run), both channels go to the development outbox in PostgreSQL, an
// admin reads it over the API, and the credentials in it work.
func TestDevelopmentOutbox(t *testing.T) {
	t.Parallel()
	s := startService(t, options{Env: map[string]string{"SMTP_HOST": "", "VONAGE_API_KEY": "", "VONAGE_API_SECRET": "", "DEV_OUTBOX": "1"}})
	api := s.API + "/api/v1"
	tok := adminToken(t, s)
	var mail, phone user
	call(t, "POST", api+"/users", tok, map[string]string{"first_name": "Dev", "last_name": "Mail", "email": "dev@example.com"}, &mail, http.StatusCreated)
	call(t, "POST", api+"/users", tok, map[string]string{"login": "devsms", "first_name": "Dev", "last_name": "Sms", "phone": "+44 20 7946 0958"}, &phone, http.StatusCreated)
	call(t, "POST", api+"/invitations", tok, map[string]any{"user_ids": []int64{mail.ID, phone.ID}}, nil, http.StatusAccepted)
	waitStatus(t, api, tok, mail.ID, "invited")
	waitStatus(t, api, tok, phone.ID, "invited")

	var outbox struct {
		Items []struct {
			Channel, Recipient, Subject, Body string
		}
	}
	call(t, "GET", api+"/dev/outbox", tok, nil, &outbox, http.StatusOK)
	if len(outbox.Items) != 2 {
		t.Fatalf("outbox holds %d messages, want 2: %+v", len(outbox.Items), outbox.Items)
	}
	for _, m := range outbox.Items {
		login, password := testenv.Credentials(t, m.Body)
		switch {
		case m.Channel == "email" && (m.Recipient != "dev@example.com" || m.Subject == "" || login != mail.Login),
			m.Channel == "sms" && (m.Recipient != "+442079460958" || login != "devsms"):
			t.Errorf("outbox message %+v", m)
		}
		call(t, "POST", api+"/auth/login", "", map[string]string{"login": login, "password": password}, nil, http.StatusOK)
	}
	if len(s.SMTP.Messages()) != 0 || len(s.Vonage.Messages()) != 0 {
		t.Error("a message reached a provider although none is configured")
	}
	if !strings.Contains(s.Logs.String(), "DEVELOPMENT OUTBOX") {
		t.Error("the programs did not warn that messages go to the development outbox")
	}
}

// A worker whose health port is taken stops with an error instead of
// running on without its probes.
func TestWorkerStopsWhenItsHealthPortIsTaken(t *testing.T) {
	t.Parallel()
	taken, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer taken.Close()
	db := testenv.NewDatabase(t)
	rd := testenv.NewRedis(t)
	env := map[string]string{"DATABASE_URL": db.URL, "REDIS_URL": rd.URL, "WORKER_HTTP_ADDR": taken.Addr().String()}
	done := make(chan error, 1)
	go func() {
		done <- app.Worker(context.Background(), nil, func(k string) string { return env[k] }, io.Discard, io.Discard)
	}()
	select {
	case err := <-done:
		if err == nil || !strings.Contains(err.Error(), "listen") {
			t.Fatalf("worker returned %v, want a listen error", err)
		}
	case <-time.After(30 * time.Second):
		t.Fatal("the worker kept running without its health server")
	}
}

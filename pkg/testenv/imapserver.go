package testenv

import (
	"bytes"
	"crypto/tls"
	"io"
	"log"
	"net"
	"testing"

	"github.com/emersion/go-imap/v2"
	"github.com/emersion/go-imap/v2/imapserver"
	"github.com/emersion/go-imap/v2/imapserver/imapmemserver"
)

// IMAP user of the test mailbox server.
const (
	IMAPUser     = "bounces"
	IMAPPassword = "mailbox-pw"
)

// IMAPServer is a real IMAP server (go-imap's in-memory one) on 127.0.0.1
// with one user (IMAPUser/IMAPPassword) and the folders INBOX and Processed.
type IMAPServer struct {
	user *imapmemserver.User
	addr string
}

// StartIMAP starts a plain-text IMAP server (login allowed: loopback),
// or one that speaks TLS from the first byte (imaps, self-signed: clients
// must skip verification); it stops when the test ends.
func StartIMAP(t testing.TB, tlsOn bool) *IMAPServer {
	t.Helper()
	mem := imapmemserver.New()
	user := imapmemserver.NewUser(IMAPUser, IMAPPassword)
	for _, name := range []string{"INBOX", "Processed"} {
		if err := user.Create(name, nil); err != nil {
			t.Fatal(err)
		}
	}
	mem.AddUser(user)
	srv := imapserver.New(&imapserver.Options{
		NewSession: func(*imapserver.Conn) (imapserver.Session, *imapserver.GreetingData, error) {
			return mem.NewSession(), nil, nil
		},
		Caps:         imap.CapSet{imap.CapIMAP4rev1: {}, imap.CapUIDPlus: {}, imap.CapMove: {}},
		InsecureAuth: true,
		Logger:       log.New(io.Discard, "", 0),
	})
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("testenv: IMAP listen: %v", err)
	}
	if tlsOn {
		ln = tls.NewListener(ln, ServerTLS(t))
	}
	go func() { _ = srv.Serve(ln) }()
	t.Cleanup(func() { _ = srv.Close() })
	return &IMAPServer{user: user, addr: ln.Addr().String()}
}

// Addr is the server's host:port.
func (s *IMAPServer) Addr() string { return s.addr }

// Put delivers a message to INBOX.
func (s *IMAPServer) Put(t testing.TB, msg []byte) {
	t.Helper()
	if _, err := s.user.Append("INBOX", bytes.NewReader(msg), &imap.AppendOptions{}); err != nil {
		t.Fatalf("testenv: IMAP append: %v", err)
	}
}

// Count returns the number of messages in folder.
func (s *IMAPServer) Count(t testing.TB, folder string) int {
	t.Helper()
	st, err := s.user.Status(folder, &imap.StatusOptions{NumMessages: true})
	if err != nil {
		t.Fatalf("testenv: IMAP status: %v", err)
	}
	return int(*st.NumMessages)
}

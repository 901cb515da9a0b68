// Package account signs people in and out: admins with their chosen
// password, invited users with the temporary password of their newest
// delivered invitation (after which they must choose one). The JSON API
// (bearer tokens) and the admin pages (cookies) share it, and with it the
// bounded pool of argon2id hashing.
package account

import (
	"context"
	"errors"
	"runtime"
	"strings"
	"time"

	"github.com/inviter/inviter/pkg/auth"
	"github.com/inviter/inviter/pkg/invite"
)

// Store is what signing in needs from PostgreSQL.
type Store interface {
	LoginCandidate(ctx context.Context, login string) (invite.LoginCandidate, error)
	CreateSession(ctx context.Context, tokenHash []byte, userID int64, mustChange bool, ttl time.Duration) error
	SessionByToken(ctx context.Context, tokenHash []byte) (invite.Session, error)
	DeleteSession(ctx context.Context, tokenHash []byte) error
	SetPassword(ctx context.Context, userID int64, hash string, keepSession []byte) error
	// CreateTemporarySession stores a session opened with the temporary
	// password of an invitation; it ends when that password stops working.
	CreateTemporarySession(ctx context.Context, tokenHash []byte, userID, invitationID int64, ttl time.Duration) error
}

// TemporaryVerifier checks a temporary password against its keyed hash.
type TemporaryVerifier interface {
	Verify(invitationID int64, password string, hash []byte) bool
}

// Service signs people in and out.
type Service struct {
	store     Store
	temporary TemporaryVerifier
	ttl       time.Duration
	hashing   *passwordHashing
	signIns   SignInCounter // nil: not counted
	guard     Guard         // see guard.go
}

// DefaultSessionTTL is how long a session lives when New is given 0.
const DefaultSessionTTL = 12 * time.Hour

// New returns a Service whose sessions live for ttl.
func New(store Store, temporary TemporaryVerifier, ttl time.Duration) *Service {
	if ttl <= 0 {
		ttl = DefaultSessionTTL
	}
	return &Service{store: store, temporary: temporary, ttl: ttl, hashing: newPasswordHashing(runtime.GOMAXPROCS(0))}
}

// SessionTTL is how long a new session lives.
func (s *Service) SessionTTL() time.Duration { return s.ttl }

// ErrBadCredentials answers a wrong login or password, without telling which.
var ErrBadCredentials = invite.Errorf(invite.KindUnauthorized, "invalid_credentials", "wrong login or password")

// SignedIn is a new session.
type SignedIn struct {
	Token              string // given to the client once; only its hash is kept
	TokenHash          []byte
	UserID             int64
	Role               invite.Role
	MustChangePassword bool // signed in with a temporary password
}

// signIn checks a login and password and opens a session. A temporary
// password opens a session that may do nothing but choose a new password.
// SignIn (signins.go) runs it behind the sign-in limits (guard.go) and counts it.
func (s *Service) signIn(ctx context.Context, login, password string) (SignedIn, error) {
	login = strings.TrimSpace(login)
	switch {
	case login == "":
		return SignedIn{}, invite.Errorf(invite.KindInvalid, "required", "login is required").WithField("login")
	case password == "":
		return SignedIn{}, invite.Errorf(invite.KindInvalid, "required", "password is required").WithField("password")
	}
	c, err := s.store.LoginCandidate(ctx, login)
	if err != nil && invite.KindOf(err) != invite.KindNotFound {
		return SignedIn{}, err
	}
	// An unknown login is checked against nothing at the same cost.
	ok, mustChange, err := s.checkPassword(ctx, c, password)
	if err != nil {
		return SignedIn{}, err
	}
	if !ok {
		return SignedIn{}, ErrBadCredentials
	}
	token, hash, err := auth.NewToken()
	if err != nil {
		return SignedIn{}, err
	}
	if err := s.createSession(ctx, hash, c, mustChange); err != nil {
		return SignedIn{}, err
	}
	return SignedIn{Token: token, TokenHash: hash, UserID: c.UserID, Role: c.Role, MustChangePassword: mustChange}, nil
}

// ErrNoSession answers a token that is unknown or has expired.
var ErrNoSession = invite.Errorf(invite.KindUnauthorized, "unauthorized", "the session is invalid or has expired; sign in again")

// Session returns the live session of a token, and the token's hash.
func (s *Service) Session(ctx context.Context, token string) (invite.Session, []byte, error) {
	token = strings.TrimSpace(token)
	if token == "" {
		return invite.Session{}, nil, ErrNoSession
	}
	hash := auth.HashToken(token)
	ss, err := s.store.SessionByToken(ctx, hash)
	if invite.KindOf(err) == invite.KindNotFound {
		return invite.Session{}, nil, ErrNoSession.Wrap(err)
	}
	if err != nil {
		return invite.Session{}, nil, err
	}
	return ss, hash, nil
}

// SignOut ends the session of a token hash.
func (s *Service) SignOut(ctx context.Context, tokenHash []byte) error {
	return s.store.DeleteSession(ctx, tokenHash)
}

// ChangePassword sets a chosen password. The old password is the current
// chosen one or, right after an invitation, the temporary one. The session
// tokenHash survives; the user's other sessions end.
func (s *Service) ChangePassword(ctx context.Context, ss invite.Session, tokenHash []byte, oldPassword, newPassword string) error {
	if oldPassword == "" {
		return invite.Errorf(invite.KindInvalid, "required", "old_password is required").WithField("old_password")
	}
	if err := auth.ValidateChosenPassword(newPassword, ss.Login); err != nil {
		return err
	}
	if newPassword == oldPassword {
		return invite.Errorf(invite.KindInvalid, "same_password", "the new password must differ from the old one").WithField("new_password")
	}
	c, err := s.store.LoginCandidate(ctx, ss.Login)
	if err != nil {
		return err
	}
	ok, _, err := s.checkPassword(ctx, c, oldPassword)
	if err != nil {
		return err
	}
	if !ok {
		return invite.Errorf(invite.KindInvalid, "wrong_password", "old_password is not right").WithField("old_password")
	}
	hash, err := s.hashing.hash(ctx, newPassword)
	if err != nil {
		return err
	}
	return s.store.SetPassword(ctx, ss.UserID, hash, tokenHash)
}

// checkPassword reports whether pw is the user's chosen password or the
// temporary password of their newest delivered invitation (temporary). It
// always runs one argon2id verification, against a dummy when the user has
// no chosen password (or does not exist), so timing tells nothing.
func (s *Service) checkPassword(ctx context.Context, c invite.LoginCandidate, pw string) (ok, temporary bool, err error) {
	chosen, err := s.hashing.verify(ctx, c.PasswordHash, pw)
	if err != nil && !errors.Is(err, auth.ErrMalformedHash) {
		return false, false, err
	}
	if chosen {
		return true, false, nil
	}
	for _, h := range c.PasswordHashes {
		if s.temporary.Verify(c.InvitationID, pw, h) {
			return true, true, nil
		}
	}
	return false, false, nil
}

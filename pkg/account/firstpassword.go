package account

import (
	"context"

	"github.com/inviter/inviter/pkg/auth"
	"github.com/inviter/inviter/pkg/invite"
)

// ChooseFirstPassword sets the password of a session that was opened with
// a temporary password and must choose one, without asking for the
// temporary password again: the session itself was made with it a moment
// ago. Any other session changes its password with ChangePassword.
func (s *Service) ChooseFirstPassword(ctx context.Context, ss invite.Session, tokenHash []byte, newPassword string) error {
	if !ss.MustChangePassword {
		return invite.Errorf(invite.KindInvalid, "required", "old_password is required").WithField("old_password")
	}
	if err := auth.ValidateNewPassword(newPassword); err != nil {
		return err
	}
	c, err := s.store.LoginCandidate(ctx, ss.Login)
	if err != nil {
		return err
	}
	// The temporary password itself does not become the chosen one.
	same, _, err := s.checkPassword(ctx, c, newPassword)
	if err != nil {
		return err
	}
	if same {
		return invite.Errorf(invite.KindInvalid, "same_password", "the new password must differ from the old one").WithField("new_password")
	}
	hash, err := s.hashing.hash(ctx, newPassword)
	if err != nil {
		return err
	}
	return s.store.SetPassword(ctx, ss.UserID, hash, tokenHash)
}

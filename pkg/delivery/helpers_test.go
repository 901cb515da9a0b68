package delivery_test

import (
	"errors"
	"log/slog"
	"testing"

	"github.com/inviter/inviter/pkg/delivery"
	"github.com/inviter/inviter/pkg/invite"
)

// A login and password as long as real ones get: 20 and 16 characters.
const (
	testLogin    = "alexander.petrov2024"
	testPassword = "Xk3aQ9mPz7LwR2tB"
	testLoginURL = "https://learn.example.com"
)

func loadTemplates(t testing.TB) *delivery.Templates {
	t.Helper()
	tpl, err := delivery.LoadTemplates("", "en")
	if err != nil {
		t.Fatalf("LoadTemplates: %v", err)
	}
	return tpl
}

func emailMessage(id int64, to, locale string) invite.Message {
	return invite.Message{InvitationID: id, Channel: invite.ChannelEmail, To: to, Locale: locale,
		FirstName: "Alexander", LastName: "Petrov", Login: testLogin, Password: testPassword, LoginURL: testLoginURL}
}

func smsMessage(id int64, to, locale string) invite.Message {
	m := emailMessage(id, to, locale)
	m.Channel = invite.ChannelSMS
	return m
}

func discardLog() *slog.Logger { return slog.New(slog.DiscardHandler) }

// deliveryError requires err to be a *invite.DeliveryError of class want.
func deliveryError(t *testing.T, err error, want invite.DeliveryClass) *invite.DeliveryError {
	t.Helper()
	var de *invite.DeliveryError
	if !errors.As(err, &de) {
		t.Fatalf("error %v (%T) is not a *invite.DeliveryError", err, err)
	}
	if de.Class != want {
		t.Fatalf("class = %s, want %s (error: %v)", de.Class, want, err)
	}
	return de
}

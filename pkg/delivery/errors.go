package delivery

import (
	"fmt"

	"github.com/inviter/inviter/pkg/invite"
)

// failure builds the *invite.DeliveryError every sender returns; err keeps
// the cause reachable for errors.Is and errors.As.
func failure(class invite.DeliveryClass, code, msg string, err error) *invite.DeliveryError {
	return &invite.DeliveryError{Class: class, ProviderCode: code, ProviderMessage: msg, Err: err}
}

// badMessage is the failure for an invitation that no retry can send: its
// templates do not render, its address is malformed, the sender is
// misconfigured.
func badMessage(class invite.DeliveryClass, format string, args ...any) *invite.DeliveryError {
	return failure(class, "", "", fmt.Errorf(format, args...))
}

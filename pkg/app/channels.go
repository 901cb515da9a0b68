package app

import (
	"log/slog"

	"github.com/inviter/inviter/pkg/config"
	"github.com/inviter/inviter/pkg/invite"
)

// channels are the channels that can deliver: a provider is configured, or
// DEV_OUTBOX=1 stands in for it. The api refuses at request time the users
// who could be reached only through a channel that cannot.
func channels(cfg config.Config, log *slog.Logger) invite.Channels {
	ch := invite.Channels{NoEmail: cfg.EmailUnavailable(), NoSMS: cfg.SMSUnavailable()}
	if ch.NoEmail {
		log.Warn("SMTP_HOST is not set and DEV_OUTBOX is off: e-mail invitations are refused (email_unavailable)")
	}
	if ch.NoSMS {
		log.Warn("VONAGE_API_KEY is not set and DEV_OUTBOX is off: SMS invitations are refused (sms_unavailable)")
	}
	return ch
}

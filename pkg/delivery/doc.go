// Package delivery turns an invitation (invite.Message: login and temporary
// password) into an e-mail or an SMS and hands it to a provider: an SMTP
// server, Vonage's SMS API, or, in development, an outbox table.
//
// Every sender has the same method, Send(ctx, invite.Message) error, and is
// safe for concurrent use by many worker goroutines. A failure comes back as
// an *invite.DeliveryError whose Class tells the worker whether to retry
// (Transient), wait (RateLimited) or give up (Rejected, Permanent); the
// provider's own code and text are kept for the admin. Message bodies and
// passwords are never logged.
package delivery

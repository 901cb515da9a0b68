package invite

import (
	"errors"
	"fmt"
)

// Kind is one of the few error kinds the whole service uses; the HTTP layer
// maps each to a status code and the worker to a retry decision.
type Kind string

// The error kinds.
const (
	KindInvalid      Kind = "invalid"
	KindNotFound     Kind = "not_found"
	KindConflict     Kind = "conflict"
	KindUnauthorized Kind = "unauthorized"
	KindForbidden    Kind = "forbidden"
	KindUnavailable  Kind = "unavailable"
	KindTooLarge     Kind = "too_large" // a request or file over a configured limit
	KindInternal     Kind = "internal"
)

// Error is an error a caller can act on: a kind, a stable machine code, a
// message meant for a person and, for bad input, the offending field.
type Error struct {
	Kind    Kind
	Code    string
	Message string
	Field   string
	Err     error // the cause, never shown to API clients
}

// Errorf builds an *Error with a formatted message.
func Errorf(kind Kind, code, format string, args ...any) *Error {
	return &Error{Kind: kind, Code: code, Message: fmt.Sprintf(format, args...)}
}

// WithField returns a copy of e that names the input field it is about.
// Copies, so that a shared sentinel is never changed by a caller.
func (e *Error) WithField(f string) *Error { c := *e; c.Field = f; return &c }

// Wrap returns a copy of e that records the underlying cause.
func (e *Error) Wrap(err error) *Error { c := *e; c.Err = err; return &c }

func (e *Error) Error() string {
	if e.Err != nil {
		return fmt.Sprintf("%s: %s: %v", e.Code, e.Message, e.Err)
	}
	return e.Code + ": " + e.Message
}

func (e *Error) Unwrap() error { return e.Err }

// Sentinel errors the stores return; wrap them with %w.
var (
	ErrNotFound = &Error{Kind: KindNotFound, Code: "not_found", Message: "not found"}
	ErrConflict = &Error{Kind: KindConflict, Code: "conflict", Message: "already exists"}
	// ErrStale means an attempt is no longer waiting (delivered, failed or
	// superseded): a repeated task for it has nothing left to do.
	ErrStale = &Error{Kind: KindConflict, Code: "stale_attempt", Message: "invitation attempt is no longer waiting"}
)

// Is lets errors.Is match sentinels by kind and code through wrapping.
func (e *Error) Is(target error) bool {
	t, ok := target.(*Error)
	return ok && t.Kind == e.Kind && t.Code == e.Code
}

// KindOf returns the kind of err, KindInternal when it carries none.
func KindOf(err error) Kind {
	var e *Error
	if errors.As(err, &e) {
		return e.Kind
	}
	return KindInternal
}

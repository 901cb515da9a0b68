package config

import (
	"errors"
	"fmt"
	"strings"

	"github.com/inviter/inviter/pkg/invite"
)

// Problem is one bad variable.
type Problem struct {
	Name    string // the variable, e.g. MAX_RETRIES
	Message string // what is wrong, never quoting a secret
}

// Error lists every problem Load found, in the order of the variables.
type Error struct {
	Problems []Problem
}

func (e *Error) Error() string {
	var b strings.Builder
	b.WriteString("invalid configuration:")
	for _, p := range e.Problems {
		fmt.Fprintf(&b, "\n  - %s: %s", p.Name, p.Message)
	}
	return b.String()
}

// passwordProblem turns auth.ValidateNewPassword's error into a message about
// the variable.
func passwordProblem(err error) string {
	var e *invite.Error
	if errors.As(err, &e) {
		return e.Message
	}
	return err.Error()
}

package invite_test

import (
	"errors"
	"testing"

	"github.com/inviter/inviter/pkg/invite"
)

func TestCheckText(t *testing.T) {
	for _, tc := range []struct {
		value string
		ok    bool
	}{
		{"", true},
		{"Анна Иванова", true},
		{"tab\there, line\nbreak, emoji 🙂", true},
		{"a\x00b", false},
		{"\x00", false},
		{"bad \xff utf-8", false},
		{"cut \xd0", false},
	} {
		err := invite.CheckText("first_name", tc.value)
		if (err == nil) != tc.ok {
			t.Errorf("CheckText(%q) = %v, want ok=%v", tc.value, err, tc.ok)
			continue
		}
		if err != nil {
			var e *invite.Error
			if !errors.As(err, &e) || e.Kind != invite.KindInvalid || e.Field != "first_name" || e.Code != "invalid_text" {
				t.Errorf("CheckText(%q) = %#v, want invalid_text naming first_name", tc.value, err)
			}
			if !errors.Is(err, invite.ErrInvalidText) {
				t.Errorf("CheckText(%q) is not ErrInvalidText", tc.value)
			}
		}
	}
}

package web

import (
	"fmt"

	"github.com/inviter/inviter/pkg/invite"
)

// reasonLabel is the short label of a reason for the table and the
// history ("No country code"), the full text being on the card; an unknown
// code reads as its message.
func reasonLabel(lang string, r *invite.Reason) string {
	if r == nil {
		return ""
	}
	if s, ok := lookup(lang, "label."+r.Code); ok {
		return s
	}
	return reasonText(lang, r)
}

// dict builds a map for a sub-template from key, value pairs.
func dict(kv ...any) (map[string]any, error) {
	if len(kv)%2 != 0 {
		return nil, fmt.Errorf("web: dict needs key, value pairs")
	}
	m := make(map[string]any, len(kv)/2)
	for i := 0; i < len(kv); i += 2 {
		k, ok := kv[i].(string)
		if !ok {
			return nil, fmt.Errorf("web: dict key %v is not a string", kv[i])
		}
		m[k] = kv[i+1]
	}
	return m, nil
}

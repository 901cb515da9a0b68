package invite

import (
	"strings"
)

// SortKey is a column the user table can be sorted by. Ties are broken by
// the user id, in the same direction, so every order is total and a page
// boundary is exact.
type SortKey string

// The sort keys. Text compares case-insensitively, by code point; a missing
// e-mail or phone compares as the empty string (first when ascending).
// Statuses sort by their codes: error, invited, not_invited, waiting.
const (
	SortID      SortKey = "id" // the default: creation order
	SortLogin   SortKey = "login"
	SortName    SortKey = "name" // last name, then first name
	SortEmail   SortKey = "email"
	SortPhone   SortKey = "phone"
	SortStatus  SortKey = "status"
	SortCreated SortKey = "created"
)

// SortKeys lists the sort keys, for a UI's column headers and for messages.
func SortKeys() []SortKey {
	return []SortKey{SortID, SortLogin, SortName, SortEmail, SortPhone, SortStatus, SortCreated}
}

// Sort is the order of the user table. The zero value is id ascending.
type Sort struct {
	Key  SortKey
	Desc bool
}

// ParseSort reads a sort such as "login" (ascending) or "-login"
// (descending); "" is id ascending.
func ParseSort(s string) (Sort, error) {
	var out Sort
	if rest, ok := strings.CutPrefix(s, "-"); ok {
		out.Desc, s = true, rest
	}
	if s == "" && !out.Desc {
		return Sort{Key: SortID}, nil
	}
	for _, k := range SortKeys() {
		if SortKey(s) == k {
			out.Key = k
			return out, nil
		}
	}
	names := make([]string, 0, len(SortKeys()))
	for _, k := range SortKeys() {
		names = append(names, string(k))
	}
	return Sort{}, Errorf(KindInvalid, "invalid_sort",
		"sort must be one of %s, with a leading - for descending; got %q", strings.Join(names, ", "), s).WithField("sort")
}

// String is the inverse of ParseSort.
func (s Sort) String() string {
	k := s.Key
	if k == "" {
		k = SortID
	}
	if s.Desc {
		return "-" + string(k)
	}
	return string(k)
}

package invite

import (
	"encoding/base64"
	"encoding/json"
	"strconv"
	"time"
)

// Cursor is a position in the user table under one sort key: the key's
// values of a row and the row's id, which breaks ties. Pages start after or
// end before a position, not at an offset, so a deep page costs what the
// first one does and rows added meanwhile shift nothing.
type Cursor struct {
	Key SortKey
	// Values are the row's fields as User holds them (see CursorAt); the
	// store compares them the way it orders the rows.
	Values []string
	ID     int64
}

// maxCursorLen bounds what is decoded. A cursor holds at most two names,
// which NewUser bounds to 200 characters each (a cursor of 1-2 KB), but rows
// written by other means may hold more; only a cursor no row can give is
// refused.
const maxCursorLen = 16 << 10

// CursorAt returns the encoded position of u under key k. Under SortID it
// is the decimal id, as the API's next_cursor always was; under the other
// keys it is opaque (URL-safe base64 of JSON).
func CursorAt(k SortKey, u User) string {
	if k == SortID || k == "" {
		return strconv.FormatInt(u.ID, 10)
	}
	var v []string
	switch k {
	case SortLogin:
		v = []string{u.Login}
	case SortName:
		v = []string{u.LastName, u.FirstName}
	case SortEmail:
		v = []string{u.Email}
	case SortPhone:
		v = []string{u.Phone}
	case SortStatus:
		v = []string{string(u.InviteStatus)}
	case SortCreated:
		v = []string{u.CreatedAt.UTC().Format(time.RFC3339Nano)}
	}
	b, _ := json.Marshal(cursorJSON{Key: k, ID: u.ID, Values: v}) //nolint:errcheck // strings and an int always encode
	return base64.RawURLEncoding.EncodeToString(b)
}

type cursorJSON struct {
	Key    SortKey  `json:"k"`
	ID     int64    `json:"i"`
	Values []string `json:"v"`
}

// ParseCursor decodes a cursor that CursorAt made under key k. field names
// the input in the error (the API's "cursor" or "before").
func ParseCursor(k SortKey, s, field string) (Cursor, error) {
	bad := Errorf(KindInvalid, "invalid_cursor",
		"%s must be a cursor from a previous page of the same sort", field).WithField(field)
	if k == "" {
		k = SortID
	}
	if k == SortID {
		id, err := strconv.ParseInt(s, 10, 64)
		if err != nil || id < 0 {
			return Cursor{}, bad
		}
		return Cursor{Key: SortID, ID: id}, nil
	}
	if len(s) > maxCursorLen {
		return Cursor{}, bad
	}
	b, err := base64.RawURLEncoding.DecodeString(s)
	if err != nil {
		return Cursor{}, bad
	}
	var c cursorJSON
	if err := json.Unmarshal(b, &c); err != nil || c.Key != k || c.ID < 0 || len(c.Values) != cursorWidth(k) {
		return Cursor{}, bad
	}
	if k == SortCreated {
		if _, err := time.Parse(time.RFC3339Nano, c.Values[0]); err != nil {
			return Cursor{}, bad
		}
	}
	return Cursor{Key: k, Values: c.Values, ID: c.ID}, nil
}

// cursorWidth is the number of values a cursor holds under k.
func cursorWidth(k SortKey) int {
	switch k {
	case SortName:
		return 2
	case SortLogin, SortEmail, SortPhone, SortStatus, SortCreated:
		return 1
	}
	return -1 // unknown keys never match
}

// PageCursors decodes f.After and f.Before under f's sort key, naming them
// in errors as the API does ("cursor" and "before"). At most one may be set.
func (f UserFilter) PageCursors() (after, before *Cursor, err error) {
	if f.After != "" && f.Before != "" {
		return nil, nil, Errorf(KindInvalid, "invalid_cursor",
			"give cursor (the next page) or before (the previous page), not both").WithField("before")
	}
	for _, p := range []struct {
		s     string
		field string
		dst   **Cursor
	}{{f.After, "cursor", &after}, {f.Before, "before", &before}} {
		if p.s == "" {
			continue
		}
		c, err := ParseCursor(f.Sort.Key, p.s, p.field)
		if err != nil {
			return nil, nil, err
		}
		*p.dst = &c
	}
	return after, before, nil
}

package postgres

import (
	"fmt"
	"strings"

	"github.com/inviter/inviter/pkg/invite"
)

// userWhere builds the WHERE clauses of a user filter, as a slice of clauses
// and their arguments, numbering placeholders from len(args)+1. Only the
// status and the searches count: sorting and paging are the caller's.
func userWhere(f invite.UserFilter, args []any) ([]string, []any) {
	var where []string
	if f.Status != "" {
		args = append(args, string(f.Status))
		where = append(where, fmt.Sprintf("s.status = $%d", len(args)))
	}
	if f.ErrorCode != "" {
		args = append(args, f.ErrorCode)
		where = append(where, fmt.Sprintf("s.status = 'error' AND s.error_code = $%d", len(args)))
	}
	search, args := searchWhere(f, args)
	where = append(where, search...)
	if f.Batch != nil {
		where, args = batchWhere(*f.Batch, where, args)
	}
	return where, args
}

// phoneDigits is a phone number without anything but its digits, written
// exactly as users_phone_digits_trgm_idx indexes it.
const phoneDigits = `regexp_replace(u.phone, '[^0-9]+', '', 'g')`

// searchWhere builds the clauses of the text searches of f. Each column
// search also asks for the pattern in u.search, the lowercased concatenation
// of every searchable column: the trigram index on it narrows the rows, and
// the column's own test (which no index serves) runs only on those.
func searchWhere(f invite.UserFilter, args []any) ([]string, []any) {
	var where []string
	like := func(format, value string) {
		args = append(args, "%"+escapeLike(value)+"%")
		where = append(where, strings.ReplaceAll(format, "$x", fmt.Sprintf("$%d", len(args))))
	}
	if q := normalizeSearch(f.Query); q != "" {
		like("u.search LIKE $x", q)
	}
	if v := normalizeSearch(f.Login); v != "" {
		like("u.search LIKE $x AND lower(u.login) LIKE $x", v)
	}
	if v := normalizeSearch(f.Name); v != "" {
		like("u.search LIKE $x AND lower(u.first_name || ' ' || u.last_name) LIKE $x", v)
	}
	if v := normalizeSearch(f.Email); v != "" {
		like("u.search LIKE $x AND lower(u.email) LIKE $x", v)
	}
	if v := normalizeSearch(f.Phone); v != "" {
		// Numbers typed with spaces or dashes (kept as typed when they are
		// not valid) have their digits apart in u.search, so the digits
		// have an index of their own.
		if d := digits(v); d != "" {
			like(phoneDigits+" LIKE $x", d)
		} else {
			like("u.search LIKE $x AND lower(u.phone) LIKE $x", v)
		}
	}
	return where, args
}

// normalizeSearch lowercases a search and collapses its runs of spaces, so
// that "  Ivan   Petrov " finds "ivan petrov".
func normalizeSearch(s string) string {
	return strings.Join(strings.Fields(strings.ToLower(s)), " ")
}

func digits(s string) string {
	return strings.Map(func(r rune) rune {
		if r >= '0' && r <= '9' {
			return r
		}
		return -1
	}, s)
}

func escapeLike(s string) string {
	return strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`).Replace(s)
}

func whereSQL(clauses []string) string {
	if len(clauses) == 0 {
		return ""
	}
	return " WHERE " + strings.Join(clauses, " AND ")
}

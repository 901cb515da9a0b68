package userimport

import (
	"context"
	"slices"
	"strconv"
	"strings"

	"github.com/inviter/inviter/pkg/invite"
)

// run is the state of one import.
type run struct {
	im       *Importer
	opts     Options
	rep      *Report
	recs     records
	counted  *counter
	progress func(Progress)

	hdr    header
	dedup  *dedup
	staged int          // valid rows handed to the store
	warned map[int]bool // lines of valid rows with a warning
	failed map[int]bool // lines of valid rows that failed when matched with the database
	invite []int64      // users to invite
}

func (r *run) report(p Phase) {
	r.progress(Progress{Phase: p, BytesRead: r.counted.count(), BytesTotal: r.opts.Size, RowsRead: r.rep.Rows})
}

// save matches the staged rows with the stored users, decides what each
// row does, and (unless this is a dry run) writes.
func (r *run) save(ctx context.Context, tx Tx) error {
	matches, err := tx.Matches(ctx, !r.opts.DryRun)
	if err != nil {
		return err
	}
	slices.SortFunc(matches, func(a, b Match) int { return a.Line - b.Line })
	var (
		updates []Update
		claimed = map[int64]int{} // user id -> line that matched it first
	)
	for _, m := range matches {
		if m.Count > 1 {
			r.fail(m.Line, m.By, "ambiguous_match", "The "+fieldWords(m.By)+" matches "+strconv.Itoa(m.Count)+
				" users; give the login of the one this row is about.", "count", strconv.Itoa(m.Count))
			continue
		}
		if prev, ok := claimed[m.User.ID]; ok {
			r.fail(m.Line, m.By, "duplicate_match", "This row and line "+strconv.Itoa(prev)+" are both about the user "+
				strconv.Quote(m.User.Login)+".", "line", strconv.Itoa(prev), "login", m.User.Login)
			continue
		}
		claimed[m.User.ID] = m.Line
		r.decide(m, &updates)
	}
	if err := r.warnDuplicates(ctx, tx, matches); err != nil {
		return err
	}
	if r.opts.DryRun {
		r.rep.Created = r.staged - len(matches)
		return nil
	}
	if err := tx.Update(ctx, updates); err != nil {
		return err
	}
	created, err := tx.Insert(ctx)
	if err != nil {
		return err
	}
	r.rep.Created = len(created)
	for _, id := range created {
		r.invite = append(r.invite, id)
	}
	if lost := r.staged - len(matches) - len(created); lost > 0 {
		// Another import or admin took these logins between the match and
		// the insert; they are not in the map, which is all we know.
		r.rep.Failed += lost
		r.rep.Issues = append(r.rep.Issues, Issue{Severity: SeverityError, Code: "login_taken",
			Message: strconv.Itoa(lost) + " rows were not imported: their logins were taken while the file was being imported; import it again.",
			Args:    map[string]string{"count": strconv.Itoa(lost)}})
	}
	slices.Sort(r.invite)
	return nil
}

// decide handles a row that matches one user: unchanged, updated, or left
// as it is with a warning that the file differs.
func (r *run) decide(m Match, updates *[]Update) {
	stored, row := m.User, m.Row
	if m.By != FieldLogin && m.LoginGiven && !strings.EqualFold(row.Login, stored.Login) {
		r.warn(m.Line, FieldLogin, "login_kept", "The row matches the user "+strconv.Quote(stored.Login)+" by "+
			fieldWords(m.By)+"; an import never changes a login, so the user keeps theirs.", "login", stored.Login, "by", m.By)
	}
	u := Update{UserID: stored.ID, FirstName: stored.FirstName, LastName: stored.LastName,
		Email: stored.Email, Phone: stored.Phone, Locale: stored.Locale}
	var differs []string
	for _, f := range []struct {
		name     string
		new, old string
		dst      *string
	}{
		{FieldFirstName, row.FirstName, stored.FirstName, &u.FirstName},
		{FieldLastName, row.LastName, stored.LastName, &u.LastName},
		{FieldEmail, row.Email, stored.Email, &u.Email},
		{FieldPhone, row.Phone, stored.Phone, &u.Phone},
		{FieldLocale, row.Locale, stored.Locale, &u.Locale},
	} {
		// An empty cell keeps what is stored: a file that lacks a datum
		// does not erase it.
		if f.new != "" && f.new != f.old {
			differs = append(differs, f.name)
			*f.dst = f.new
		}
	}
	switch {
	case len(differs) == 0:
		r.rep.Unchanged++
	case !r.opts.UpdateExisting:
		r.rep.Unchanged++
		// The message is the API's (it names the option as the API does);
		// the import page words the issue from its code and args.
		words := make([]string, len(differs))
		for i, f := range differs {
			words[i] = fieldWords(f)
		}
		r.warn(m.Line, differs[0], "exists", "The user "+strconv.Quote(stored.Login)+" exists and was left as it is; the file differs in "+
			strings.Join(words, ", ")+" (import with update_existing to change them).", "login", stored.Login, "fields", strings.Join(differs, ","))
	case stored.Role.IsAdmin():
		r.fail(m.Line, FieldLogin, "admin_account", "The row is about the administrator "+strconv.Quote(stored.Login)+
			", whom an import does not change.", "login", stored.Login)
		return
	default:
		r.rep.Updated++
		*updates = append(*updates, u)
	}
	if !stored.Role.IsAdmin() && stored.InviteStatus != invite.StatusInvited {
		r.invite = append(r.invite, stored.ID)
	}
}

// fail and warn record an issue of a line; args are name, value pairs.
func (r *run) fail(line int, col, code, msg string, args ...string) {
	r.failed[line] = true
	r.rep.Failed++
	r.rep.Issues = append(r.rep.Issues, Issue{Line: line, Column: col, Header: r.hdr.headerOf(col),
		Severity: SeverityError, Code: code, Message: msg, Args: issueArgs(args)})
}

func (r *run) warn(line int, col, code, msg string, args ...string) {
	r.warned[line] = true
	r.rep.Issues = append(r.rep.Issues, Issue{Line: line, Column: col, Header: r.hdr.headerOf(col),
		Severity: SeverityWarning, Code: code, Message: msg, Args: issueArgs(args)})
}

func issueArgs(kv []string) map[string]string {
	if len(kv) == 0 {
		return nil
	}
	m := make(map[string]string, len(kv)/2)
	for i := 0; i+1 < len(kv); i += 2 {
		m[kv[i]] = kv[i+1]
	}
	return m
}

// finish counts the warned rows and orders the issues.
func (r *run) finish() {
	for line := range r.warned {
		if !r.failed[line] {
			r.rep.Warned++
		}
	}
	r.rep.finish()
}

func fieldWords(f string) string {
	switch f {
	case FieldEmail:
		return "e-mail address"
	case FieldPhone:
		return "phone number"
	case FieldFirstName:
		return "first name"
	case FieldLastName:
		return "last name"
	case FieldLocale:
		return "language"
	}
	return f
}

package userimport

import (
	"context"
	"iter"

	"github.com/inviter/inviter/pkg/invite"
)

// Store writes an import in one transaction. ImportUsers runs fn in a
// transaction and commits it when commit is true and fn succeeds;
// otherwise, or when fn fails, nothing it did remains.
type Store interface {
	ImportUsers(ctx context.Context, commit bool, fn func(Tx) error) error
}

// Tx is the transaction of one import: the valid rows are staged in bulk,
// matched with the users already stored, and written with a statement or
// two whatever their number.
type Tx interface {
	// Stage copies the rows into the transaction as the file yields them.
	// The logins it receives are distinct (case-insensitively).
	Stage(ctx context.Context, rows iter.Seq2[Row, error]) error
	// Matches returns, for every staged row that matches stored users,
	// the user: by login (case-insensitive); failing that by e-mail address
	// (case-insensitive); failing that by phone number. A row whose e-mail
	// or phone matches more than one user comes back with Count > 1 and no
	// user. With lock, the matched users stay locked until the end of the
	// transaction (in id order, as every multi-row write here locks).
	Matches(ctx context.Context, lock bool) ([]Match, error)
	// Update writes new values of existing users.
	Update(ctx context.Context, us []Update) error
	// Insert creates a user for every staged row that matched nobody and
	// returns the new ids by line. A row whose login another transaction
	// took since Matches is left out.
	Insert(ctx context.Context) (map[int]int64, error)
}

// Match is a staged row and the stored user it matches.
type Match struct {
	Line       int
	Row        invite.NewUser // as staged
	LoginGiven bool
	By         string // login, email or phone
	Count      int    // users matching; more than one is ambiguous, and User is empty
	User       invite.User
}

// Update is the new data of an existing user; logins and roles are never
// changed by an import.
type Update struct {
	UserID    int64
	FirstName string
	LastName  string
	Email     string
	Phone     string
	Locale    string
}

// Inviter runs "Send invitation" (invite.Inviter).
type Inviter interface {
	Invite(ctx context.Context, requestedBy int64, sel invite.Selection) (invite.BatchResult, error)
}

package invite_test

import (
	"log/slog"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/inviter/inviter/pkg/invite"
	"github.com/inviter/inviter/pkg/postgres"
	"github.com/inviter/inviter/pkg/tasks"
	"github.com/inviter/inviter/pkg/testenv"
)

// previewFixture creates one user for each way Decide can go and returns
// their ids by name. "waiting" is already waiting for an e-mail invitation.
func previewFixture(t *testing.T, s *postgres.Store) map[string]int64 {
	t.Helper()
	users := map[string]invite.NewUser{
		"email":       {Email: "mail@example.com"},
		"phone":       {Phone: "79051111111"},
		"both":        {Email: "both@example.com", Phone: "79052222222"},
		"no_contact":  {},
		"bad_email":   {Email: "ivan@localhost"},
		"bad_phone":   {Phone: "12345"},
		"no_country":  {Phone: "9051111111"},
		"bad_mail_ok": {Email: "not an address", Phone: "79053333333"},
		"admin":       {Email: "admin@example.com", Role: invite.RoleAdmin},
		"waiting":     {Email: "waiting@example.com"},
	}
	ids := make(map[string]int64, len(users))
	for name, n := range users {
		n.Login, n.FirstName, n.LastName = name, "First", "Last"
		n, _, err := n.Normalize()
		if err != nil {
			t.Fatal(err)
		}
		u, err := s.CreateUser(t.Context(), n)
		if err != nil {
			t.Fatal(err)
		}
		ids[name] = u.ID
	}
	_, err := s.CreateInvitations(t.Context(), invite.Selection{UserIDs: []int64{ids["waiting"]}}, 0,
		func(c invite.Candidate) invite.Decision { return invite.Decide(invite.MethodEmailOrPhone, c) })
	if err != nil {
		t.Fatal(err)
	}
	return ids
}

func TestPreviewUnderEachVerificationMethod(t *testing.T) {
	t.Parallel()
	db := testenv.NewDatabase(t)
	s := postgres.NewStore(db.DB)
	ids := previewFixture(t, s)
	sel := invite.Selection{UserIDs: []int64{987654}}
	for _, id := range ids {
		sel.UserIDs = append(sel.UserIDs, id)
	}
	// Preview reads and never enqueues: no queue is needed.
	in := invite.NewInviter(s, nil, slog.New(slog.DiscardHandler))

	tests := []struct {
		method                     invite.VerificationMethod
		email, sms, kept, replaced int
		refused                    map[string]int
	}{
		{invite.MethodEmailOrPhone, 2, 2, 1, 0, map[string]int{
			invite.ReasonNoContact: 1, invite.ReasonInvalidEmail: 1, invite.ReasonInvalidPhone: 1,
			invite.ReasonPhoneWithoutCountry: 1}},
		{invite.MethodEmailOnly, 2, 0, 1, 0, map[string]int{
			invite.ReasonNoEmail: 4, invite.ReasonInvalidEmail: 2}},
		// The waiting user has no phone: refused, and the waiting e-mail
		// attempt would be superseded.
		{invite.MethodPhoneOnly, 0, 3, 0, 1, map[string]int{
			invite.ReasonNoContact: 4, invite.ReasonInvalidPhone: 1, invite.ReasonPhoneWithoutCountry: 1}},
	}
	for _, tt := range tests {
		if err := s.SetVerificationMethod(t.Context(), tt.method, 0); err != nil {
			t.Fatal(err)
		}
		p, err := in.Preview(t.Context(), sel)
		if err != nil {
			t.Fatalf("%s: %v", tt.method, err)
		}
		if p.Method != tt.method || p.Selected != len(ids) || p.NotFound != 1 || p.Email != tt.email ||
			p.SMS != tt.sms || p.Kept != tt.kept || p.Replaced != tt.replaced || p.Admins != 1 || p.Skipped != 0 {
			t.Errorf("%s: %+v; want %d users, 1 not found, e-mail %d, sms %d, kept %d, replaced %d",
				tt.method, p, len(ids), tt.email, tt.sms, tt.kept, tt.replaced)
		}
		total := 0
		for i, r := range p.Refused {
			if r.Count != tt.refused[r.Reason.Code] || r.Reason.Message == "" {
				t.Errorf("%s: refusal %+v; want %d with a message", tt.method, r, tt.refused[r.Reason.Code])
			}
			// One message stands for several users: none of their data in it.
			if strings.ContainsAny(r.Reason.Message, "()") || strings.Contains(r.Reason.Message, "localhost") {
				t.Errorf("%s: refusal message %q carries a user's detail", tt.method, r.Reason.Message)
			}
			if i > 0 && r.Count > p.Refused[i-1].Count {
				t.Errorf("%s: refusals %+v are not most frequent first", tt.method, p.Refused)
			}
			total += r.Count
		}
		// The administrator is left alone: counted apart, never refused.
		if len(p.Refused) != len(tt.refused) || total != p.RefusedTotal() || p.Queued()+p.RefusedTotal()+p.Admins != p.Selected {
			t.Errorf("%s: refusals %+v (total %d, RefusedTotal %d); want %v", tt.method, p.Refused, total, p.RefusedTotal(), tt.refused)
		}
	}
}

// The preview of a selection is what the batch then does, user for user.
func TestPreviewAgreesWithTheBatch(t *testing.T) {
	t.Parallel()
	db := testenv.NewDatabase(t)
	s := postgres.NewStore(db.DB)
	previewFixture(t, s)
	r := testenv.NewRedis(t)
	queue := tasks.NewEnqueuer(r.Client, tasks.Options{MaxRetry: 3, Timeout: time.Minute}, 4)
	in := invite.NewInviter(s, queue, slog.New(slog.DiscardHandler))
	sel := invite.Selection{Filter: &invite.UserFilter{}}

	p, err := in.Preview(t.Context(), sel)
	if err != nil {
		t.Fatal(err)
	}
	res, err := in.Invite(t.Context(), 0, sel)
	if err != nil {
		t.Fatal(err)
	}
	if res.Queued != p.Queued() || res.Rejected != p.RefusedTotal() || len(res.Outcomes) != p.Selected {
		t.Errorf("batch queued %d, rejected %d of %d; the preview said %d, %d of %d",
			res.Queued, res.Rejected, len(res.Outcomes), p.Queued(), p.RefusedTotal(), p.Selected)
	}
	byReason := map[string]int{}
	for _, o := range res.Outcomes {
		if o.Error != nil {
			byReason[o.Error.Code]++
		}
	}
	for _, r := range p.Refused {
		if byReason[r.Reason.Code] != r.Count {
			t.Errorf("reason %s: the batch refused %d, the preview said %d", r.Reason.Code, byReason[r.Reason.Code], r.Count)
		}
	}
}

func TestPreviewRefusesAnEmptySelection(t *testing.T) {
	t.Parallel()
	db := testenv.NewDatabase(t)
	in := invite.NewInviter(postgres.NewStore(db.DB), nil, slog.New(slog.DiscardHandler))
	_, err := in.Preview(t.Context(), invite.Selection{})
	if invite.KindOf(err) != invite.KindInvalid {
		t.Fatalf("empty selection: %v, want an invalid-input error", err)
	}
}

// PreviewBoth answers, from one pass, what Preview answers for each value
// of skip_invited; unticking the box leaves out the invited users' sends
// and refusals alike.
func TestPreviewBothAgreesWithPreview(t *testing.T) {
	t.Parallel()
	db := testenv.NewDatabase(t)
	s := postgres.NewStore(db.DB)
	ids := previewFixture(t, s)
	in := invite.NewInviter(s, nil, slog.New(slog.DiscardHandler))
	// "email" and "phone" are invited: their attempts were delivered.
	for _, name := range []string{"email", "phone"} {
		if _, err := s.CreateInvitations(t.Context(), invite.Selection{UserIDs: []int64{ids[name]}}, 0,
			func(c invite.Candidate) invite.Decision { return invite.Decide(invite.MethodEmailOrPhone, c) }); err != nil {
			t.Fatal(err)
		}
		h, err := s.Invitations(t.Context(), ids[name])
		if err != nil || len(h) == 0 {
			t.Fatalf("invitations of %s: %v", name, err)
		}
		if _, err := s.ClaimAttempt(t.Context(), h[0].ID, []byte("hash")); err != nil {
			t.Fatal(err)
		}
		if err := s.MarkDelivered(t.Context(), h[0].ID, time.Hour); err != nil {
			t.Fatal(err)
		}
	}
	sel := invite.Selection{UserIDs: []int64{987654}}
	for _, id := range ids {
		sel.UserIDs = append(sel.UserIDs, id)
	}
	for _, m := range []invite.VerificationMethod{invite.MethodEmailOrPhone, invite.MethodEmailOnly, invite.MethodPhoneOnly} {
		if err := s.SetVerificationMethod(t.Context(), m, 0); err != nil {
			t.Fatal(err)
		}
		both, err := in.PreviewBoth(t.Context(), sel)
		if err != nil {
			t.Fatal(err)
		}
		for _, skip := range []bool{false, true} {
			one := sel
			one.SkipInvited = skip
			p, err := in.Preview(t.Context(), one)
			if err != nil {
				t.Fatal(err)
			}
			got := both.SendAgain
			if skip {
				got = both.SkipInvited
			}
			if !reflect.DeepEqual(got, p) {
				t.Errorf("%s, skip_invited %v: PreviewBoth %+v; Preview %+v", m, skip, got, p)
			}
		}
		if a, k := both.SendAgain, both.SkipInvited; a.AlreadyInvited != 2 || k.Skipped != 2 || a.Skipped != 0 ||
			a.Selected != k.Selected || a.Queued()+a.RefusedTotal() != k.Queued()+k.RefusedTotal()+k.Skipped {
			t.Errorf("%s: send again %+v; skip invited %+v", m, a, k)
		}
	}
	// Under "e-mail only" the invited phone-only user is refused when sent
	// again, and left alone (not refused) when the invited are skipped.
	if err := s.SetVerificationMethod(t.Context(), invite.MethodEmailOnly, 0); err != nil {
		t.Fatal(err)
	}
	both, err := in.PreviewBoth(t.Context(), sel)
	if err != nil {
		t.Fatal(err)
	}
	if d := both.SendAgain.RefusedTotal() - both.SkipInvited.RefusedTotal(); d != 1 {
		t.Errorf("e-mail only: %d more refusals sending again, want 1 (the invited phone-only user)", d)
	}
}

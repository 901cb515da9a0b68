package invite

// DecideFor is Decide under a selection's options: with SkipInvited a user
// already invited is skipped (administrators stay skipped as admins).
func DecideFor(sel Selection, m VerificationMethod, c Candidate) Decision {
	if sel.SkipInvited && c.Status == StatusInvited && !c.Role.IsAdmin() {
		return Decision{Skip: true}
	}
	return Decide(m, c)
}

// StatusAfterRefusal is the status a refused send leaves a user in. A user
// who can still sign in with earlier credentials stays invited: the
// refusal (or a delivery failure, recorded the same way by the store) is
// kept as the user's last error and shown as "last send failed", but it
// takes nothing away. Only a user without working credentials is in error.
func StatusAfterRefusal(c Candidate) Status {
	if c.HasCredentials {
		return StatusInvited
	}
	return StatusError
}

// IsAdminSkip reports whether an outcome is an administrator left alone.
func (o Outcome) IsAdminSkip() bool {
	return o.Skipped && o.Error != nil && o.Error.Code == ReasonAdminAccount
}

// CountOutcomes splits a batch's outcomes as its 202 counts them: queued
// (waiting, kept included), rejected (refused or not found), skipped
// (already invited) and admins. Every outcome is counted once.
func CountOutcomes(outs []Outcome) (queued, rejected, skipped, admins int) {
	for _, o := range outs {
		switch {
		case o.IsAdminSkip():
			admins++
		case o.Skipped:
			skipped++
		case o.Status == StatusWaiting:
			queued++
		default:
			rejected++
		}
	}
	return queued, rejected, skipped, admins
}

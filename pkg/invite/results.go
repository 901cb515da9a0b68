package invite

// Results says which per-user outcomes the answer to "Send invitation"
// lists. The batch records every user whatever it says; it only bounds the
// answer (and the memory it takes) for a selection of a million users.
type Results string

const (
	ResultsAll     Results = "all"     // every selected user (the default)
	ResultsRefused Results = "refused" // only the users refused or not found
	ResultsNone    Results = "none"    // the counts only
)

// ParseResults reads a results mode; "" is ResultsAll.
func ParseResults(s string) (Results, error) {
	switch r := Results(s); r {
	case "":
		return ResultsAll, nil
	case ResultsAll, ResultsRefused, ResultsNone:
		return r, nil
	}
	return "", Errorf(KindInvalid, "invalid_results", "results must be one of all, refused, none").WithField("results")
}

// Keeps reports whether an answer in this mode lists o.
func (r Results) Keeps(o Outcome) bool {
	switch r {
	case ResultsNone:
		return false
	case ResultsRefused:
		// A refusal, a requested id that matches no user, an administrator
		// left alone; a refused user who can still sign in stays invited.
		return o.Error != nil
	}
	return true
}

// BatchOptions tune CreateBatch.
type BatchOptions struct {
	Results Results // the outcomes Batch.Outcomes keeps
	// QueueUpTo is how many attempts to queue the batch may collect in
	// Batch.Queue; past it, Batch.Queue is nil and the queue is filled by a
	// dispatch task instead.
	QueueUpTo int
}

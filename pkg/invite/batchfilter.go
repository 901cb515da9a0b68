package invite

import "strconv"

// BatchFilter narrows the user table to the users of one "Send invitation"
// batch, optionally by what became of the attempt the batch made for them:
// the link that lists exactly the users a batch refused, or those whose
// delivery failed. Users a batch left as they were (skipped, administrators)
// have no attempt in it and are not listed.
type BatchFilter struct {
	ID      int64
	Outcome AttemptStatus // "" for every attempt of the batch
}

// Batch outcomes as the user table's address writes them: the names of
// the progress bar (invited, refused), not the attempts' own.
var batchOutcomes = map[string]AttemptStatus{
	"waiting": AttemptWaiting, "invited": AttemptSent, "failed": AttemptFailed,
	"refused": AttemptRejected, "superseded": AttemptSuperseded,
}

// OutcomeParam is the outcome as the address writes it.
func (f BatchFilter) OutcomeParam() string {
	for k, v := range batchOutcomes {
		if v == f.Outcome {
			return k
		}
	}
	return ""
}

// ParseBatchFilter reads the batch and outcome parameters; an empty batch
// is no filter. An outcome without a batch is refused: it means nothing.
func ParseBatchFilter(batch, outcome string) (*BatchFilter, error) {
	if batch == "" {
		if outcome != "" {
			return nil, Errorf(KindInvalid, "invalid_outcome", "outcome needs a batch").WithField("outcome")
		}
		return nil, nil
	}
	id, err := strconv.ParseInt(batch, 10, 64)
	if err != nil || id <= 0 {
		return nil, Errorf(KindInvalid, "invalid_batch", "batch must be a batch id (a positive whole number)").WithField("batch")
	}
	f := &BatchFilter{ID: id}
	if outcome != "" {
		st, ok := batchOutcomes[outcome]
		if !ok {
			return nil, Errorf(KindInvalid, "invalid_outcome",
				"outcome must be one of waiting, invited, failed, refused, superseded; got %q", outcome).WithField("outcome")
		}
		f.Outcome = st
	}
	return f, nil
}

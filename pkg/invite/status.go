package invite

// Status is a user's invitation status, as the admin sees it in the user
// table. The four values are those of the product's help page.
type Status string

// The statuses. UserInvited (the "User invited" mark) is set only for Invited.
const (
	StatusNotInvited Status = "not_invited"
	StatusWaiting    Status = "waiting"
	StatusInvited    Status = "invited"
	StatusError      Status = "error"
)

// ParseStatus validates a status filter value; "" and "all" mean no filter
// and return "".
func ParseStatus(s string) (Status, error) {
	switch Status(s) {
	case "", "all":
		return "", nil
	case StatusNotInvited, StatusWaiting, StatusInvited, StatusError:
		return Status(s), nil
	}
	return "", Errorf(KindInvalid, "invalid_invite_status",
		"invite_status must be one of all, not_invited, waiting, invited, error; got %q", s).WithField("invite_status")
}

// AttemptStatus is the state of one invitation attempt (a row of the
// history). A user's Status follows the attempt that is current for them.
type AttemptStatus string

// The attempt states. Only Waiting attempts are (or should be) in the queue.
const (
	AttemptWaiting    AttemptStatus = "waiting"    // queued, not yet delivered
	AttemptSent       AttemptStatus = "sent"       // the provider accepted the message
	AttemptFailed     AttemptStatus = "failed"     // delivery failed for good
	AttemptRejected   AttemptStatus = "rejected"   // refused before queueing (bad contact data)
	AttemptSuperseded AttemptStatus = "superseded" // a newer attempt replaced it before it finished
)

// Channel is how an invitation reaches a user.
type Channel string

// The channels.
const (
	ChannelEmail Channel = "email"
	ChannelSMS   Channel = "sms"
)

// VerificationMethod is the super admin's setting that limits channels.
type VerificationMethod string

// The verification methods; EmailOnly is the help page's "Confirm only by email".
const (
	MethodEmailOrPhone VerificationMethod = "email_or_phone"
	MethodEmailOnly    VerificationMethod = "email_only"
	MethodPhoneOnly    VerificationMethod = "phone_only"
)

// ParseVerificationMethod validates a verification method.
func ParseVerificationMethod(s string) (VerificationMethod, error) {
	switch m := VerificationMethod(s); m {
	case MethodEmailOrPhone, MethodEmailOnly, MethodPhoneOnly:
		return m, nil
	}
	return "", Errorf(KindInvalid, "invalid_verification_method",
		"verification_method must be one of email_or_phone, email_only, phone_only; got %q", s).WithField("verification_method")
}

// Role is what a user may do in the service.
type Role string

// The roles. Admins invite users; super admins also change settings.
const (
	RoleUser       Role = "user"
	RoleAdmin      Role = "admin"
	RoleSuperAdmin Role = "super_admin"
)

// IsAdmin reports whether the role may use the admin API.
func (r Role) IsAdmin() bool { return r == RoleAdmin || r == RoleSuperAdmin }

func (s Status) String() string  { return string(s) }
func (c Channel) String() string { return string(c) }

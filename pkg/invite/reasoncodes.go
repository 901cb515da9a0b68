package invite

// ReasonCodes lists every reason a user can be in error for, in the order
// the pages list them: the table's short labels and the filter's reasons
// must cover each one.
func ReasonCodes() []string {
	return []string{ReasonPhoneWithoutCountry, ReasonInvalidPhone, ReasonInvalidEmail, ReasonNoEmail,
		ReasonNoContact, ReasonDeliveryRejected, ReasonDeliveryFailed, ReasonAdminAccount}
}

// ParseErrorCode validates an error_code filter: one of ReasonCodes, or ""
// for none.
func ParseErrorCode(s string) (string, error) {
	if s == "" {
		return "", nil
	}
	for _, c := range ReasonCodes() {
		if c == s {
			return s, nil
		}
	}
	return "", Errorf(KindInvalid, "invalid_error_code", "error_code must be a reason code such as %s; got %q",
		ReasonPhoneWithoutCountry, s).WithField("error_code")
}

package invite

// ParseAssignableRole validates the role a super admin gives a user: an
// administrator or a plain user. Super admins are made only at start-up
// (ADMIN_LOGIN), so that nobody can hand the settings to someone else.
func ParseAssignableRole(s string) (Role, error) {
	switch r := Role(s); r {
	case RoleAdmin, RoleUser:
		return r, nil
	}
	return "", Errorf(KindInvalid, "invalid_role", "role must be admin or user; got %q", s).WithField("role")
}

// CheckRoleChange tells whether actor may give target a new role: a super
// admin, never for themselves (they would lock themselves out), never for
// another super admin.
func CheckRoleChange(actor Session, target User) error {
	switch {
	case actor.Role != RoleSuperAdmin:
		return Errorf(KindForbidden, "forbidden", "only a super administrator may change roles")
	case actor.UserID == target.ID:
		return Errorf(KindForbidden, "own_role", "you cannot change your own role")
	case target.Role == RoleSuperAdmin:
		return Errorf(KindForbidden, "super_admin", "a super administrator's role cannot be changed")
	}
	return nil
}

// Package postgres implements the service's stores on PostgreSQL with sqlx.
// PostgreSQL is the source of truth for users, invitation attempts and their
// statuses; every state change is a conditional statement, so a repeated
// task or a race between replicas is harmless. Queries are constants next to
// the code that runs them; driver errors become the domain's error kinds.
package postgres

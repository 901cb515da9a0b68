// Package invite is the domain of the invitation service: users, invitation
// attempts, their statuses, the channel rules that follow from the super
// admin's verification method, contact validation and the error kinds shared
// by every layer. It imports only the standard library and the phone-number
// library, so every other package can depend on it.
package invite

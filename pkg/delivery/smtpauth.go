package delivery

import (
	"errors"
	"fmt"
	"net/smtp"
	"slices"
	"strings"
)

// authenticate logs in with the mechanism the server offers: PLAIN when it
// can (one round trip), LOGIN otherwise (older Exchange and some relays
// offer only that). Both refuse to send the password over a plain-text
// connection to another machine.
func authenticate(c *smtp.Client, cfg SMTPConfig) error {
	ok, params := c.Extension("AUTH")
	if !ok {
		return errors.New("server does not offer AUTH but a username is configured")
	}
	mechs := strings.Fields(strings.ToUpper(params))
	switch {
	case slices.Contains(mechs, "PLAIN"):
		return c.Auth(smtp.PlainAuth("", cfg.Username, cfg.Password, cfg.Host))
	case slices.Contains(mechs, "LOGIN"):
		return c.Auth(&loginAuth{host: cfg.Host, username: cfg.Username, password: cfg.Password})
	}
	return fmt.Errorf("server offers AUTH %s, none of PLAIN, LOGIN", params)
}

// loginAuth is the LOGIN SASL mechanism, which net/smtp does not provide:
// the server prompts "Username:" and "Password:" and gets each in turn.
type loginAuth struct {
	host, username, password string
}

func (a *loginAuth) Start(server *smtp.ServerInfo) (string, []byte, error) {
	if !server.TLS && !isLoopback(server.Name) {
		return "", nil, errors.New("unencrypted connection")
	}
	if server.Name != a.host {
		return "", nil, errors.New("wrong host name")
	}
	return "LOGIN", nil, nil
}

func (a *loginAuth) Next(fromServer []byte, more bool) ([]byte, error) {
	if !more {
		return nil, nil
	}
	prompt := strings.ToLower(strings.TrimSpace(string(fromServer)))
	switch {
	case strings.HasPrefix(prompt, "username"):
		return []byte(a.username), nil
	case strings.HasPrefix(prompt, "password"):
		return []byte(a.password), nil
	}
	return nil, fmt.Errorf("unexpected LOGIN prompt %q", prompt)
}

package web

import (
	"strings"
	"testing"

	"github.com/inviter/inviter/pkg/invite"
)

// A send that failed with no provider answer is stored as the worker's
// English sentence; the card says it in the reader's language, in the
// history's provider column and in the user's reason, while a provider's
// own answer is shown as it came.
func TestCardSaysFailureCauseInReadersLanguage(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	root := e.as(t, e.rootID)
	cases := []struct {
		cause invite.Cause
		ru    string
	}{
		{invite.Cause{Code: invite.CauseNoTLS, Service: invite.CauseServiceSMTP, Addr: "10.0.0.5:587"},
			"SMTP-сервер 10.0.0.5:587 не поддерживает STARTTLS, и сообщение пошло бы по сети незашифрованным"},
		{invite.Cause{Code: invite.CauseDNS, Service: invite.CauseServiceSMTP, Addr: "mail.example.com"},
			"не удалось найти в DNS имя SMTP-сервера mail.example.com"},
		{invite.Cause{Code: invite.CauseRefused, Service: invite.CauseServiceSMTP, Addr: "10.0.0.5:587"},
			"SMTP-сервер 10.0.0.5:587 отказал в соединении"},
		{invite.Cause{Code: invite.CauseUnreachable, Service: invite.CauseServiceVonage, Addr: "[2001:db8::1]:443"},
			"сервис Vonage [2001:db8::1]:443 недоступен отсюда (нет маршрута)"},
		{invite.Cause{Code: invite.CauseCertificate, Service: invite.CauseServiceSMTP, Addr: "10.0.0.5:587", Detail: "x509: certificate signed by unknown authority"},
			"TLS-сертификат SMTP-сервера 10.0.0.5:587 не прошёл проверку: x509: certificate signed by unknown authority"},
		{invite.Cause{Code: invite.CauseHandshake, Service: invite.CauseServiceVonage, Addr: "1.2.3.4:443", Detail: "remote error: tls: handshake failure"},
			"не удалось согласовать TLS с сервисом Vonage 1.2.3.4:443: remote error: tls: handshake failure"},
		{invite.Cause{Code: invite.CauseTimeout, Service: invite.CauseServiceSMTP, Addr: "10.0.0.5:587"},
			"SMTP-сервер 10.0.0.5:587 не ответил вовремя"},
		{invite.Cause{Code: invite.CauseClosed, Service: invite.CauseServiceVonage},
			"сервис Vonage закрыл соединение"},
		{invite.Cause{Code: invite.CauseCancelled},
			"отправка прервана (обработчик останавливается); она будет повторена"},
		{invite.Cause{Code: invite.CauseOther, Service: invite.CauseServiceSMTP, Addr: "10.0.0.5:587", Detail: "short write"},
			"не удалось связаться с SMTP-сервером 10.0.0.5:587: short write"},
	}
	for _, c := range cases {
		en := c.cause.Sentence()
		id := e.failedSend(t, "u_"+c.cause.Code, en)

		ru := root.get(userPath(id) + "?lang=ru")
		want(t, ru, 200)
		wantContains(t, ru.body, "<td>"+escapeHTML(t, c.ru)+"</td>", "("+escapeHTML(t, c.ru)+")")
		if strings.Contains(ru.body, escapeHTML(t, en)) {
			t.Errorf("%s: the Russian card still has the English %q", c.cause.Code, en)
		}
		eng := root.get(userPath(id) + "?lang=en")
		want(t, eng, 200)
		wantContains(t, eng.body, "<td>"+escapeHTML(t, en)+"</td>", "("+escapeHTML(t, en)+")")
	}

	// A provider's own answer is its words, in any language.
	id := e.failedSend(t, "u_answer", "421 4.3.2 Service not available")
	ru := root.get(userPath(id) + "?lang=ru")
	want(t, ru, 200)
	wantContains(t, ru.body, "<td>421 4.3.2 Service not available</td>")
}

// failedSend creates a user and fails its invitation the way the worker
// does when the send gets no provider answer: reason delivery_failed with
// the message as detail, and the message as the attempt's provider message.
func (e *env) failedSend(t *testing.T, login, msg string) int64 {
	t.Helper()
	u := e.createUser(t, invite.NewUser{Login: login, Email: login + "@example.com"})
	if _, err := e.inviter.Invite(t.Context(), e.rootID, invite.Selection{UserIDs: []int64{u.ID}}); err != nil {
		t.Fatal(err)
	}
	inv := e.currentInvitation(t, u.ID)
	if _, err := e.store.ClaimAttempt(t.Context(), inv, e.hasher.Hash(inv, "unused")); err != nil {
		t.Fatal(err)
	}
	if err := e.store.MarkFailed(t.Context(), inv, *invite.NewReason(invite.ReasonDeliveryFailed, msg), msg); err != nil {
		t.Fatal(err)
	}
	return u.ID
}

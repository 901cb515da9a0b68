package testenv

import (
	"encoding/json"
	"net/http"
	"net/url"
	"testing"
	"time"
)

type vonageAnswer struct {
	MessageCount string `json:"message-count"`
	Messages     []struct {
		To        string `json:"to"`
		MessageID string `json:"message-id"`
		Status    string `json:"status"`
		ErrorText string `json:"error-text"`
	} `json:"messages"`
}

func postSMS(t *testing.T, v *VonageServer, secret, to string) (*http.Response, vonageAnswer) {
	t.Helper()
	resp, err := http.PostForm(v.URL()+"/json", url.Values{"api_key": {VonageAPIKey}, "api_secret": {secret},
		"from": {"Inviter"}, "to": {to}, "text": {"hello"}, "client-ref": {"42"}})
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var a vonageAnswer
	if resp.StatusCode == http.StatusOK {
		if err := json.NewDecoder(resp.Body).Decode(&a); err != nil {
			t.Fatal(err)
		}
	}
	return resp, a
}

func TestVonageServer(t *testing.T) {
	t.Parallel()
	v := StartVonage(t)
	v.Respond("+79051111111", "1", "3")
	v.EmptyMessages(1)
	v.FailHTTP(http.StatusTooManyRequests, 1)

	resp, _ := postSMS(t, v, VonageAPISecret, "79051111111")
	if resp.StatusCode != http.StatusTooManyRequests || resp.Header.Get("Retry-After") != "2" {
		t.Errorf("FailHTTP: %d, Retry-After %q", resp.StatusCode, resp.Header.Get("Retry-After"))
	}
	if _, a := postSMS(t, v, VonageAPISecret, "79051111111"); len(a.Messages) != 0 || a.MessageCount != "0" {
		t.Errorf("EmptyMessages: %+v", a)
	}
	for _, want := range []string{"1", "3", "0"} {
		_, a := postSMS(t, v, VonageAPISecret, "79051111111")
		if len(a.Messages) != 1 || a.Messages[0].Status != want {
			t.Fatalf("got %+v, want status %s", a, want)
		}
		if want == "3" && a.Messages[0].ErrorText != "Invalid to number" {
			t.Errorf("error text %q", a.Messages[0].ErrorText)
		}
		if want == "0" && (a.Messages[0].MessageID == "" || a.Messages[0].To != "79051111111") {
			t.Errorf("success entry %+v", a.Messages[0])
		}
	}
	if _, a := postSMS(t, v, "wrong", "79051111111"); a.Messages[0].Status != "4" {
		t.Errorf("wrong secret: %+v", a)
	}
	got := v.WaitMessages(t, 1, 5*time.Second)
	if len(got) != 1 || got[0].MessageID == "" ||
		got[0] != (ReceivedSMS{From: "Inviter", To: "79051111111", Text: "hello", ClientRef: "42", MessageID: got[0].MessageID}) {
		t.Errorf("recorded %+v", got)
	}
}

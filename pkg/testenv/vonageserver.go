package testenv

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"
)

// The credentials the test Vonage server accepts. The SDK insists on an API
// key of exactly 8 characters, as Vonage issues them.
const (
	VonageAPIKey    = "abcd1234"
	VonageAPISecret = "test-secret"
)

// ReceivedSMS is an SMS the test Vonage server accepted.
type ReceivedSMS struct {
	From      string
	To        string // as sent: E.164 digits without "+"
	Text      string
	Type      string // "unicode" when the client asked for UCS-2, "" otherwise
	ClientRef string
	// StatusReportReq and Callback: what the client asked of delivery
	// receipts; MessageID is the id the server answered with.
	StatusReportReq string
	Callback        string
	MessageID       string
}

// VonageServer answers like Vonage's SMS API (POST {URL()}/json) on
// 127.0.0.1, records accepted SMS and can be told to refuse them.
type VonageServer struct {
	ts *httptest.Server

	mu       sync.Mutex
	messages []ReceivedSMS
	arrived  chan struct{} // closed and replaced when an SMS arrives
	replies  map[string][]vonageReply
	empty    int
	httpCode int
	httpLeft int
	nextID   int
}

type vonageReply struct {
	status, text string
}

// StartVonage starts the server, closed when the test ends.
func StartVonage(t testing.TB) *VonageServer {
	t.Helper()
	v := &VonageServer{arrived: make(chan struct{}), replies: make(map[string][]vonageReply)}
	mux := http.NewServeMux()
	mux.HandleFunc("POST /sms/json", v.handle)
	v.ts = httptest.NewServer(mux)
	t.Cleanup(v.ts.Close)
	return v
}

// URL is the base path to configure the SDK with (VonageConfig.BaseURL).
func (v *VonageServer) URL() string { return v.ts.URL + "/sms" }

// Messages returns the SMS accepted so far.
func (v *VonageServer) Messages() []ReceivedSMS {
	v.mu.Lock()
	defer v.mu.Unlock()
	return append([]ReceivedSMS(nil), v.messages...)
}

// WaitMessages waits until at least n SMS have been accepted and returns
// them, failing the test after timeout.
func (v *VonageServer) WaitMessages(t testing.TB, n int, timeout time.Duration) []ReceivedSMS {
	t.Helper()
	timer := time.NewTimer(timeout)
	defer timer.Stop()
	for {
		v.mu.Lock()
		if len(v.messages) >= n {
			msgs := append([]ReceivedSMS(nil), v.messages...)
			v.mu.Unlock()
			return msgs
		}
		arrived, got := v.arrived, len(v.messages)
		v.mu.Unlock()
		select {
		case <-arrived:
		case <-timer.C:
			t.Fatalf("testenv: Vonage server got %d SMS in %v, want %d", got, timeout, n)
		}
	}
}

// Respond queues statuses for the next requests to number to ("+" is
// optional), each with Vonage's usual error text: Respond(n, "1", "0") is
// throttled once, then accepted. Without a queued status a valid request
// gets "0".
func (v *VonageServer) Respond(to string, statuses ...string) {
	for _, s := range statuses {
		v.RespondText(to, s, defaultErrorText(s))
	}
}

// RespondText queues one status with its error text for number to.
func (v *VonageServer) RespondText(to, status, text string) {
	v.mu.Lock()
	defer v.mu.Unlock()
	key := strings.TrimPrefix(to, "+")
	v.replies[key] = append(v.replies[key], vonageReply{status: status, text: text})
}

// EmptyMessages makes the next times answers have an empty messages array.
func (v *VonageServer) EmptyMessages(times int) {
	v.mu.Lock()
	defer v.mu.Unlock()
	v.empty = times
}

// FailHTTP makes the next times requests get HTTP status code with a plain
// text body; a 429 comes with "Retry-After: 2".
func (v *VonageServer) FailHTTP(code, times int) {
	v.mu.Lock()
	defer v.mu.Unlock()
	v.httpCode, v.httpLeft = code, times
}

type vonageMessage struct {
	To               string `json:"to,omitempty"`
	MessageID        string `json:"message-id,omitempty"`
	Status           string `json:"status"`
	ErrorText        string `json:"error-text,omitempty"`
	RemainingBalance string `json:"remaining-balance,omitempty"`
	MessagePrice     string `json:"message-price,omitempty"`
	Network          string `json:"network,omitempty"`
}

func (v *VonageServer) handle(w http.ResponseWriter, r *http.Request) {
	if err := r.ParseForm(); err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	f := r.PostForm
	sms := ReceivedSMS{From: f.Get("from"), To: f.Get("to"), Text: f.Get("text"),
		Type: f.Get("type"), ClientRef: f.Get("client-ref"),
		StatusReportReq: f.Get("status-report-req"), Callback: f.Get("callback")}

	v.mu.Lock()
	if v.httpLeft > 0 {
		v.httpLeft--
		code := v.httpCode
		v.mu.Unlock()
		if code == http.StatusTooManyRequests {
			w.Header().Set("Retry-After", "2")
		}
		http.Error(w, http.StatusText(code), code)
		return
	}
	if v.empty > 0 {
		v.empty--
		v.mu.Unlock()
		writeVonage(w)
		return
	}
	reply := vonageReply{status: "0"}
	switch {
	case f.Get("api_key") != VonageAPIKey || f.Get("api_secret") != VonageAPISecret:
		reply = vonageReply{"4", defaultErrorText("4")}
	case sms.From == "" || sms.To == "" || sms.Text == "":
		reply = vonageReply{"2", defaultErrorText("2")}
	case len(v.replies[sms.To]) > 0:
		reply = v.replies[sms.To][0]
		v.replies[sms.To] = v.replies[sms.To][1:]
	}
	if reply.status != "0" {
		v.mu.Unlock()
		writeVonage(w, vonageMessage{Status: reply.status, ErrorText: reply.text})
		return
	}
	v.nextID++
	id := fmt.Sprintf("0A00000%09X", v.nextID)
	sms.MessageID = id
	v.messages = append(v.messages, sms)
	close(v.arrived)
	v.arrived = make(chan struct{})
	v.mu.Unlock()
	writeVonage(w, vonageMessage{To: sms.To, MessageID: id, Status: "0",
		RemainingBalance: "10.00000000", MessagePrice: "0.03330000", Network: "25001"})
}

func writeVonage(w http.ResponseWriter, msgs ...vonageMessage) {
	if msgs == nil {
		msgs = []vonageMessage{}
	}
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(struct {
		MessageCount string          `json:"message-count"`
		Messages     []vonageMessage `json:"messages"`
	}{fmt.Sprint(len(msgs)), msgs})
}

// defaultErrorText is the error-text Vonage gives with a status.
func defaultErrorText(status string) string {
	switch status {
	case "0":
		return ""
	case "1":
		return "Throughput Rate Exceeded - please wait [ 1000 ] and retry"
	case "2":
		return "Missing Parameters"
	case "3":
		return "Invalid to number"
	case "4":
		return "Bad Credentials"
	case "5":
		return "Internal Error"
	case "6":
		return "Invalid Message"
	case "7":
		return "Number barred"
	case "9":
		return "Partner quota exceeded"
	case "29":
		return "Non White-listed Destination - rejected"
	case "33":
		return "Number de-activated"
	}
	return "Error " + status
}

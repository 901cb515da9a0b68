package delivery

import (
	"encoding/json"
	"errors"
	"net/http"
	"testing"
	"time"

	"github.com/vonage/vonage-go-sdk"

	"github.com/inviter/inviter/pkg/invite"
)

func TestClassifyVonageStatus(t *testing.T) {
	t.Parallel()
	tests := []struct {
		status, text string
		class        invite.DeliveryClass
	}{
		{"1", "Throughput Rate Exceeded - please wait [ 1000 ] and retry", invite.RateLimited},
		{"2", "Missing to param", invite.Permanent},
		{"3", "Invalid to number", invite.Rejected},
		{"3", "Invalid To Address", invite.Rejected},
		{"3", "Invalid from param", invite.Permanent},
		{"3", "Invalid ttl", invite.Permanent},
		{"4", "Bad Credentials", invite.Permanent},
		{"5", "Internal Error", invite.Transient},
		{"6", "Invalid Message", invite.Rejected}, // an unrecognised number prefix: the recipient
		{"7", "Number barred", invite.Rejected},
		{"8", "Partner account barred", invite.Permanent},
		{"9", "Partner quota exceeded", invite.Permanent},
		{"10", "Too many existing binds", invite.Transient},
		{"14", "Invalid Signature", invite.Permanent},
		{"15", "Invalid Sender Address", invite.Permanent},
		{"29", "Non White-listed Destination - rejected", invite.Rejected},
		{"33", "Number de-activated", invite.Rejected},
		{"99", "Something new", invite.Permanent},
	}
	for _, tt := range tests {
		de := classifyVonageStatus(tt.status, tt.text, 0)
		if de.Class != tt.class || de.ProviderCode != tt.status || de.ProviderMessage != tt.text {
			t.Errorf("status %s %q: got %s (%q, %q), want %s", tt.status, tt.text,
				de.Class, de.ProviderCode, de.ProviderMessage, tt.class)
		}
		if tt.class == invite.RateLimited && de.RetryAfter != defaultThrottleWait {
			t.Errorf("status %s: RetryAfter = %v, want %v", tt.status, de.RetryAfter, defaultThrottleWait)
		}
	}
	if de := classifyVonageStatus("1", "", 5*time.Second); de.RetryAfter != 5*time.Second {
		t.Errorf("status 1 with Retry-After 5: RetryAfter = %v", de.RetryAfter)
	}
}

func TestClassifyVonageHTTP(t *testing.T) {
	t.Parallel()
	cause := errors.New("the SDK's error")
	tests := []struct {
		name   string
		ex     exchange
		err    error
		class  invite.DeliveryClass
		code   string
		waited time.Duration
	}{
		{"no answer", exchange{}, cause, invite.Transient, "", 0},
		{"429", exchange{status: 429, header: http.Header{"Retry-After": {"7"}}}, cause, invite.RateLimited, "HTTP 429", 7 * time.Second},
		{"429 without Retry-After", exchange{status: 429}, cause, invite.RateLimited, "HTTP 429", defaultThrottleWait},
		{"500", exchange{status: 500}, cause, invite.Transient, "HTTP 500", 0},
		{"503", exchange{status: 503}, cause, invite.Transient, "HTTP 503", 0},
		{"401", exchange{status: 401}, cause, invite.Permanent, "HTTP 401", 0},
		{"404", exchange{status: 404}, cause, invite.Permanent, "HTTP 404", 0},
		{"200 not JSON", exchange{status: 200}, cause, invite.Transient, "HTTP 200", 0},
		{"empty messages", exchange{status: 200}, errNoMessages, invite.Transient, "", 0},
	}
	for _, tt := range tests {
		de := classifyVonageHTTP(&tt.ex, tt.err)
		if de.Class != tt.class || de.ProviderCode != tt.code || de.RetryAfter != tt.waited {
			t.Errorf("%s: got %s (%q, %v), want %s (%q, %v)", tt.name, de.Class, de.ProviderCode,
				de.RetryAfter, tt.class, tt.code, tt.waited)
		}
		if !errors.Is(de, tt.err) {
			t.Errorf("%s: DeliveryError does not wrap the cause", tt.name)
		}
	}
}

// A text longer than one SMS is answered with one entry per part; the SDK
// checks only the first.
func TestClassifyVonageChecksEveryPart(t *testing.T) {
	t.Parallel()
	body := []byte(`{"message-count":"2","messages":[` +
		`{"to":"79051111111","message-id":"A","status":"0"},` +
		`{"status":"5","error-text":"Internal Error"}]}`)
	var res vonage.Sms
	if err := json.Unmarshal(body, &res); err != nil {
		t.Fatal(err)
	}
	de := classifyVonage(res, vonage.SmsErrorResponse{}, &exchange{status: 200, body: body}, nil)
	if de == nil || de.Class != invite.Transient || de.ProviderCode != "5" || de.ProviderMessage != "Internal Error" {
		t.Fatalf("got %v, want transient status 5 with its text from the body", de)
	}
}

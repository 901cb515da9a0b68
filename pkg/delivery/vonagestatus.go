package delivery

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"regexp"
	"strconv"
	"time"

	"github.com/vonage/vonage-go-sdk"

	"github.com/inviter/inviter/pkg/invite"
)

// defaultThrottleWait is the wait after status 1 (throttled) when the answer
// says nothing: Vonage's limits are per second.
const defaultThrottleWait = time.Second

// classifyVonage turns the outcome of one SDK call into nil (every part
// accepted) or a DeliveryError.
func classifyVonage(res vonage.Sms, errResp vonage.SmsErrorResponse, ex *exchange, err error) *invite.DeliveryError {
	if err != nil {
		return classifyVonageHTTP(ex, err)
	}
	// The SDK looks at messages[0] only; a text longer than one SMS is one
	// entry per part, and any refused part is a failed invitation.
	for i, msg := range res.Messages {
		if msg.Status == "0" {
			continue
		}
		text := ""
		if i < len(errResp.Messages) {
			text = errResp.Messages[i].ErrorText
		}
		if text == "" {
			text = errorTextFromBody(ex.body, i)
		}
		return classifyVonageStatus(msg.Status, text, retryAfter(ex.header))
	}
	return nil
}

// classifyVonageHTTP handles an error before any message status: HTTP
// errors, which the SDK reports by status line only (the exchange has the
// rest), and the network.
func classifyVonageHTTP(ex *exchange, err error) *invite.DeliveryError {
	err = fmt.Errorf("delivery: vonage: %w", err)
	if errors.Is(err, errNoMessages) {
		return failure(invite.Transient, "", errNoMessages.Error(), err)
	}
	code := ""
	if ex.status != 0 {
		code = "HTTP " + strconv.Itoa(ex.status)
	}
	msg := http.StatusText(ex.status)
	switch {
	case ex.status == 0:
		// No answer: refused connection, timeout, cancelled context.
		return failure(invite.Transient, "", describeCause(invite.CauseServiceVonage, err), err)
	case ex.status == http.StatusTooManyRequests:
		de := failure(invite.RateLimited, code, msg, err)
		de.RetryAfter = retryAfter(ex.header)
		if de.RetryAfter == 0 {
			de.RetryAfter = defaultThrottleWait
		}
		return de
	case ex.status >= 500:
		return failure(invite.Transient, code, msg, err)
	case ex.status >= 300:
		// A wrong BaseURL (404) or refused credentials (401): no retry fixes it.
		return failure(invite.Permanent, code, msg, err)
	}
	// 200 with a body the SDK could not decode: a proxy's page, a truncated
	// answer. Another try may get the real API.
	return failure(invite.Transient, code, "undecodable answer", err)
}

// recipientText spots a status 3 (Invalid Parameters) about the destination
// number, as in "Invalid to number", rather than about our request.
var recipientText = regexp.MustCompile(`(?i)\bto\b|msisdn|destination|recipient`)

// classifyVonageStatus classifies a non-zero status of the SMS API
// (https://developer.vonage.com/en/api-errors/sms).
func classifyVonageStatus(status, text string, wait time.Duration) *invite.DeliveryError {
	err := fmt.Errorf("delivery: vonage status %s: %s", status, text)
	switch status {
	case "1": // Throttled
		de := failure(invite.RateLimited, status, text, err)
		de.RetryAfter = wait
		if de.RetryAfter == 0 {
			de.RetryAfter = defaultThrottleWait
		}
		return de
	case "5", "10": // Internal Error; Too Many Existing Binds ("back off and retry")
		return failure(invite.Transient, status, text, err)
	case "3": // Invalid Parameters
		if recipientText.MatchString(text) {
			return failure(invite.Rejected, status, text, err)
		}
	case "7", "29", "33": // Number Barred, Non-Whitelisted Destination, Number De-activated
		return failure(invite.Rejected, status, text, err)
	case "6": // Invalid Message: Vonage documents it as an unrecognised number prefix
		return failure(invite.Rejected, status, text, err)
	}
	// Bad credentials (4), barred or unfunded account (8, 9), bad signature
	// (14), sender id refused (15) and the rest: an admin has to act before
	// any retry can succeed.
	return failure(invite.Permanent, status, text, err)
}

// errorTextFromBody reads messages[i]["error-text"] from a raw answer.
func errorTextFromBody(body []byte, i int) string {
	var v struct {
		Messages []struct {
			ErrorText string `json:"error-text"`
		} `json:"messages"`
	}
	if json.Unmarshal(body, &v) != nil || i >= len(v.Messages) {
		return ""
	}
	return v.Messages[i].ErrorText
}

// retryAfter reads a Retry-After header given in seconds (the HTTP-date form
// is not used by APIs like this one); 0 when absent or unreadable.
func retryAfter(h http.Header) time.Duration {
	s, err := strconv.Atoi(h.Get("Retry-After"))
	if err != nil || s <= 0 {
		return 0
	}
	return time.Duration(s) * time.Second
}

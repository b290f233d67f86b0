package api

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
)

// Error codes are stable: scripts may switch on them.
const (
	CodeBadRequest       = "bad_request"        // malformed request (not JSON, wrong types)
	CodeInvalidField     = "invalid_field"      // a field's value is not accepted
	CodeUnknownField     = "unknown_field"      // a JSON body names a field the route does not take
	CodeBodyTooLarge     = "body_too_large"     // the body exceeds the route's limit
	CodeUnsupportedMedia = "unsupported_media"  // wrong Content-Type
	CodeUnauthenticated  = "unauthenticated"    // no valid session or token
	CodeForbidden        = "forbidden"          // the role does not allow this
	CodeCSRF             = "csrf_failed"        // cookie-authenticated change without the right CSRF token
	CodeNotFound         = "not_found"          // no such object (or not in the caller's sites)
	CodeMethodNotAllowed = "method_not_allowed" // the path exists with other methods
	CodeConflict         = "conflict"           // the object exists, or the state forbids the change
	CodeThrottled        = "throttled"          // too many failed logins: retry later
	CodeBadCredentials   = "bad_credentials"    // wrong user name or password
	CodeSetupClosed      = "setup_closed"       // the setup token is void (a user exists)
	CodeNotLearnable     = "not_learnable"      // the alert has nothing to add to the baseline
	CodeInternal         = "internal"           // a server fault (logged)
)

// Error is an API error: the HTTP status, a stable code, a message, and the offending field.
type Error struct {
	Status  int    `json:"-"`
	Code    string `json:"code"`
	Message string `json:"message"`
	Field   string `json:"field,omitempty"`
	// RetryAfter (seconds) is sent as a Retry-After header when set.
	RetryAfter int  `json:"-"`
	hidden     bool // a 404 hiding an object of another site: audited as a failed authorization
}

func (e *Error) Error() string {
	if e.Field != "" {
		return fmt.Sprintf("%s: %s (%s)", e.Code, e.Message, e.Field)
	}
	return e.Code + ": " + e.Message
}

func errf(status int, code, field, format string, args ...any) *Error {
	return &Error{Status: status, Code: code, Field: field, Message: fmt.Sprintf(format, args...)}
}

func badField(field, format string, args ...any) *Error {
	return errf(http.StatusBadRequest, CodeInvalidField, field, format, args...)
}

func notFound(what string) *Error {
	return errf(http.StatusNotFound, CodeNotFound, "", "%s not found", what)
}

var errForbidden = &Error{Status: http.StatusForbidden, Code: CodeForbidden, Message: "your role does not allow this"}

// AsError converts any error into an *Error (internal errors become 500 with a generic message).
func AsError(err error) *Error {
	var e *Error
	if errors.As(err, &e) {
		return e
	}
	return &Error{Status: http.StatusInternalServerError, Code: CodeInternal, Message: "internal error"}
}

// WriteError writes err as {"error":{...}}.
func WriteError(w http.ResponseWriter, err error) {
	e := AsError(err)
	if e.RetryAfter > 0 {
		w.Header().Set("Retry-After", fmt.Sprint(e.RetryAfter))
	}
	writeJSON(w, e.Status, map[string]any{"error": e})
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.Encode(v)
}

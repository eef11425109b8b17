package gitlabtest

// Error bodies, as GitLab renders them.
//
// Facts followed (gitlab-org/gitlab lib/api/helpers.rb, lib/api/api.rb,
// Grape's JSON error formatter):
//   - render_api_error! answers {"message": <message>} where the message is
//     a string, an array or a hash, with the given status.
//   - not_found!(resource) says "404 <resource> Not Found", or
//     "404 Not Found" without a resource; unauthorized! says
//     "401 Unauthorized"; forbidden! says "403 Forbidden"; conflict! and
//     unprocessable_entity! pass their message through with 409 and 422.
//   - render_validation_error! answers 400 with the model's errors hash,
//     attribute → list of messages, in validation order.
//   - A record missing from a find_by! lookup (ActiveRecord::RecordNotFound)
//     is rescued in lib/api/api.rb as {"message":"404 Not found"}, with a
//     lower-case "found".
//   - Grape's error! with a plain string, used for parameter validation and
//     by the catch-all route, is wrapped as {"error": <string>}.
//   - API responses are application/json and carry X-Frame-Options:
//     SAMEORIGIN and X-Content-Type-Options: nosniff (lib/api/api.rb).

import (
	"bytes"
	"encoding/json"
	"net/http"
)

func writeJSON(w http.ResponseWriter, status int, v any) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	// Ruby's JSON encoder leaves <, > and & alone, so descriptions and note
	// bodies come back byte for byte.
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		panic("gitlabtest: encoding response: " + err.Error())
	}
	h := w.Header()
	h.Set("Content-Type", "application/json")
	h.Set("X-Frame-Options", "SAMEORIGIN")
	h.Set("X-Content-Type-Options", "nosniff")
	w.WriteHeader(status)
	w.Write(bytes.TrimSuffix(buf.Bytes(), []byte("\n")))
}

// renderAPIError answers like render_api_error!.
func renderAPIError(w http.ResponseWriter, status int, message any) {
	writeJSON(w, status, map[string]any{"message": message})
}

// renderError answers like Grape's error! with a string.
func renderError(w http.ResponseWriter, status int, message string) {
	writeJSON(w, status, map[string]string{"error": message})
}

func notFound(w http.ResponseWriter, resource string) {
	msg := "404 Not Found"
	if resource != "" {
		msg = "404 " + resource + " Not Found"
	}
	renderAPIError(w, http.StatusNotFound, msg)
}

// recordNotFound answers like the RecordNotFound rescue in lib/api/api.rb.
func recordNotFound(w http.ResponseWriter) {
	renderAPIError(w, http.StatusNotFound, "404 Not found")
}

func unauthorized(w http.ResponseWriter) {
	renderAPIError(w, http.StatusUnauthorized, "401 Unauthorized")
}

func forbidden(w http.ResponseWriter) {
	renderAPIError(w, http.StatusForbidden, "403 Forbidden")
}

// fieldErrors is an ActiveModel errors hash. It keeps insertion order,
// which a Go map would lose when encoded.
type fieldErrors []fieldError

type fieldError struct {
	attr     string
	messages []string
}

func (e *fieldErrors) add(attr, message string) {
	for i := range *e {
		if (*e)[i].attr == attr {
			(*e)[i].messages = append((*e)[i].messages, message)
			return
		}
	}
	*e = append(*e, fieldError{attr, []string{message}})
}

func (e fieldErrors) MarshalJSON() ([]byte, error) {
	var buf bytes.Buffer
	buf.WriteByte('{')
	for i, f := range e {
		if i > 0 {
			buf.WriteByte(',')
		}
		k, err := json.Marshal(f.attr)
		if err != nil {
			return nil, err
		}
		v, err := json.Marshal(f.messages)
		if err != nil {
			return nil, err
		}
		buf.Write(k)
		buf.WriteByte(':')
		buf.Write(v)
	}
	buf.WriteByte('}')
	return buf.Bytes(), nil
}

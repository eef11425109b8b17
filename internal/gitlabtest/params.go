package gitlabtest

// Request parameters, read and checked the way GitLab's Grape endpoints do.
//
// Facts followed (Grape as used by gitlab-org/gitlab lib/api; the merge
// request and note parameter declarations in lib/api/merge_requests.rb,
// lib/api/helpers/merge_requests_helpers.rb, lib/api/notes.rb):
//   - Parameters come from the query string and, for POST and PUT, from a
//     JSON or form-encoded body; a body that does not parse answers 400
//     {"error":"message body does not match declared format"}.
//   - Rails reads name[]=a&name[]=b as an array called name.
//   - Validation failures answer 400 {"error": "<messages>"}, one message per
//     failing parameter in declaration order, joined with ", ":
//     "<name> is missing" (requires), "<name> is invalid" (type coercion),
//     "<name> does not have a valid value" (values:), "<name> has a value
//     not allowed" (except_values:), "<name> is empty" (allow_blank: false),
//     "<a>, <b> are mutually exclusive", and "<a>, <b>, ... are missing, at
//     least one parameter must be provided" (at_least_one_of).
//   - Integer accepts JSON integers and decimal strings. Boolean accepts
//     true/false and the strings true/false, t/f, 1/0, yes/no, y/n, on/off.
//   - Labels (CommaSeparatedToArray) accept a comma-separated string or an
//     array, split on commas and stripped; ID lists
//     (CommaSeparatedToIntegerArray) accept "1,2" or [1,2].
//   - A JSON null counts as given for requires and at_least_one_of.

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"mime"
	"net/http"
	"net/url"
	"strconv"
	"strings"
)

// params holds request parameters: strings and []any from the query string
// or a form, JSON values (json.Number, bool, string, []any, nil) from a JSON
// body. Body values override query values, as in Rack.
type params map[string]any

var errBadBody = errors.New("message body does not match declared format")

func parseParams(r *http.Request) (params, error) {
	p := params{}
	p.addForm(r.URL.Query())
	if r.Method != http.MethodPost && r.Method != http.MethodPut {
		return p, nil
	}
	body, err := io.ReadAll(r.Body)
	if err != nil || len(bytes.TrimSpace(body)) == 0 {
		return p, nil
	}
	ct, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	switch ct {
	case "application/json":
		var m map[string]any
		dec := json.NewDecoder(bytes.NewReader(body))
		dec.UseNumber()
		if err := dec.Decode(&m); err != nil {
			return nil, errBadBody
		}
		for k, v := range m {
			p[k] = v
		}
	case "application/x-www-form-urlencoded":
		form, err := url.ParseQuery(string(body))
		if err != nil {
			return nil, errBadBody
		}
		p.addForm(form)
	}
	return p, nil
}

func (p params) addForm(form url.Values) {
	for k, vs := range form {
		if name, ok := strings.CutSuffix(k, "[]"); ok {
			list := make([]any, len(vs))
			for i, v := range vs {
				list[i] = v
			}
			p[name] = list
			continue
		}
		p[k] = vs[len(vs)-1]
	}
}

func (p params) has(name string) bool {
	_, ok := p[name]
	return ok
}

// validation collects Grape-style parameter errors.
type validation struct {
	p    params
	errs []string
}

func (v *validation) fail(name, message string) {
	v.errs = append(v.errs, name+" "+message)
}

// check writes the 400 for any collected errors and reports whether the
// parameters were valid.
func (v *validation) check(w http.ResponseWriter) bool {
	if len(v.errs) == 0 {
		return true
	}
	renderError(w, http.StatusBadRequest, strings.Join(v.errs, ", "))
	return false
}

func (v *validation) requiredString(name string) string {
	raw, ok := v.p[name]
	if !ok {
		v.fail(name, "is missing")
		return ""
	}
	s, ok := asString(raw)
	if !ok {
		v.fail(name, "is invalid")
	}
	return s
}

// optionalString reads a String parameter; with allowBlank false an empty
// or whitespace-only value fails as empty.
func (v *validation) optionalString(name string, allowBlank bool) (string, bool) {
	raw, ok := v.p[name]
	if !ok {
		return "", false
	}
	s, ok := asString(raw)
	if !ok {
		v.fail(name, "is invalid")
		return "", false
	}
	if !allowBlank && strings.TrimSpace(s) == "" {
		v.fail(name, "is empty")
		return "", false
	}
	return s, true
}

func (v *validation) optionalInt(name string) (int, bool) {
	raw, ok := v.p[name]
	if !ok || raw == nil {
		return 0, false
	}
	n, ok := asInt(raw)
	if !ok {
		v.fail(name, "is invalid")
	}
	return n, ok
}

func (v *validation) optionalBool(name string) (bool, bool) {
	raw, ok := v.p[name]
	if !ok || raw == nil {
		return false, false
	}
	b, ok := asBool(raw)
	if !ok {
		v.fail(name, "is invalid")
	}
	return b, ok
}

// enum reads a String parameter restricted to values, with a default.
func (v *validation) enum(name, def string, values ...string) string {
	s, ok := v.optionalString(name, true)
	if !ok {
		return def
	}
	for _, allowed := range values {
		if s == allowed {
			return s
		}
	}
	v.fail(name, "does not have a valid value")
	return def
}

// stringList reads a comma-separated or array parameter such as labels.
func (v *validation) stringList(name string) ([]string, bool) {
	raw, ok := v.p[name]
	if !ok {
		return nil, false
	}
	var parts []string
	switch raw := raw.(type) {
	case nil:
	case []any:
		for _, item := range raw {
			s, ok := asString(item)
			if !ok {
				v.fail(name, "is invalid")
				return nil, false
			}
			parts = append(parts, strings.Split(s, ",")...)
		}
	default:
		s, ok := asString(raw)
		if !ok {
			v.fail(name, "is invalid")
			return nil, false
		}
		parts = strings.Split(s, ",")
	}
	out := []string{}
	for _, s := range parts {
		if s = strings.TrimSpace(s); s != "" {
			out = append(out, s)
		}
	}
	return out, true
}

// intList reads a comma-separated or array parameter such as assignee_ids.
func (v *validation) intList(name string) ([]int, bool) {
	strs, ok := v.stringList(name)
	if !ok {
		return nil, false
	}
	out := []int{}
	for _, s := range strs {
		n, err := strconv.Atoi(s)
		if err != nil {
			v.fail(name, "is invalid")
			return nil, false
		}
		out = append(out, n)
	}
	return out, true
}

func (v *validation) mutuallyExclusive(names ...string) {
	given := 0
	for _, n := range names {
		if v.p.has(n) {
			given++
		}
	}
	if given > 1 {
		v.errs = append(v.errs, strings.Join(names, ", ")+" are mutually exclusive")
	}
}

func (v *validation) atLeastOneOf(names ...string) {
	for _, n := range names {
		if v.p.has(n) {
			return
		}
	}
	v.errs = append(v.errs, strings.Join(names, ", ")+" are missing, at least one parameter must be provided")
}

// pagination reads page and per_page as declared by PaginationParams:
// Integer, defaults 1 and 20, per_page may not be 0.
func (v *validation) pagination() (page, perPage int) {
	page, ok := v.optionalInt("page")
	if !ok {
		page = 1
	}
	perPage, ok = v.optionalInt("per_page")
	if !ok {
		perPage = 20
	} else if perPage == 0 {
		v.fail("per_page", "has a value not allowed")
	}
	return page, perPage
}

// unimplemented refuses parameters GitLab accepts but this server does not
// model, so that a test cannot pass because one was silently ignored.
func (v *validation) unimplemented(names ...string) {
	for _, n := range names {
		if v.p.has(n) {
			v.errs = append(v.errs, "gitlabtest does not implement the "+n+" parameter")
		}
	}
}

func asString(v any) (string, bool) {
	switch v := v.(type) {
	case nil:
		return "", true
	case string:
		return v, true
	case json.Number:
		return v.String(), true
	case bool:
		return strconv.FormatBool(v), true
	}
	return "", false
}

func asInt(v any) (int, bool) {
	var s string
	switch v := v.(type) {
	case string:
		s = strings.TrimSpace(v)
	case json.Number:
		s = v.String()
	default:
		return 0, false
	}
	n, err := strconv.Atoi(s)
	return n, err == nil
}

func asBool(v any) (bool, bool) {
	switch v := v.(type) {
	case bool:
		return v, true
	case string, json.Number:
		s, _ := asString(v)
		switch strings.ToLower(s) {
		case "true", "t", "1", "yes", "y", "on":
			return true, true
		case "false", "f", "0", "no", "n", "off":
			return false, true
		}
	}
	return false, false
}

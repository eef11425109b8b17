package gitlabtest

// Offset pagination.
//
// Facts followed (gitlab-org/gitlab lib/api/pagination_params.rb,
// config/initializers/kaminari_config.rb,
// lib/gitlab/pagination/offset_pagination.rb and offset_header_builder.rb;
// Kaminari's page/per; docs.gitlab.com/api/rest#pagination):
//   - page and per_page are Integers defaulting to 1 and 20; per_page=0 is
//     refused, per_page above 100 is capped at 100, a negative per_page
//     falls back to 20, and a page below 1 is page 1.
//   - Headers: X-Per-Page, X-Page, X-Next-Page and X-Prev-Page (empty when
//     there is none), X-Total and X-Total-Pages (at least 1, even for no
//     items). A page past the end has neither a next nor a previous page.
//   - Link lists rel="prev" and rel="next" when they exist, then always
//     rel="first" and rel="last", joined by ", ". Each URL is the request
//     URL on the configured host with the query rebuilt from the request's
//     parameters (route parameters such as id and declared defaults
//     included, arrays as name[]), page and per_page replaced, sorted and
//     escaped like Rails' Hash#to_query.
//   - Past 10,000 records GitLab stops counting: X-Total, X-Total-Pages and
//     rel="last" are left out.
//
// The rebuilt query leaves out private_token and access_token, whether or
// not GitLab echoes them, so credentials stay out of test output.

import (
	"net/url"
	"slices"
	"strconv"
	"strings"
)

const (
	defaultPerPage = 20
	maxPerPage     = 100
	maxCountLimit  = 10000
)

// linkQuery is the parameter set GitLab rebuilds Link URLs from.
type linkQuery map[string][]string

// newLinkQuery starts from the request's query string and the route's id.
func (c *call) newLinkQuery() linkQuery {
	q := linkQuery{}
	for k, vs := range c.r.URL.Query() {
		if k != "private_token" && k != "access_token" {
			q[k] = vs
		}
	}
	q.set("id", c.r.PathValue("id"))
	return q
}

func (q linkQuery) set(name string, value any) {
	delete(q, name+"[]")
	switch v := value.(type) {
	case string:
		q[name] = []string{v}
	case int:
		q[name] = []string{strconv.Itoa(v)}
	case bool:
		q[name] = []string{strconv.FormatBool(v)}
	case []string:
		delete(q, name)
		q[name+"[]"] = v
	case []int:
		delete(q, name)
		for _, n := range v {
			q[name+"[]"] = append(q[name+"[]"], strconv.Itoa(n))
		}
	}
}

// encode sorts the escaped pairs, as Hash#to_query does.
func (q linkQuery) encode() string {
	var pairs []string
	for k, vs := range q {
		for _, v := range vs {
			pairs = append(pairs, url.QueryEscape(k)+"="+url.QueryEscape(v))
		}
	}
	slices.Sort(pairs)
	return strings.Join(pairs, "&")
}

// paginate writes the pagination headers for n items and returns the bounds
// of the requested page.
func (c *call) paginate(n, page, perPage int, q linkQuery) (lo, hi int) {
	limit := defaultPerPage
	if perPage > 0 {
		limit = min(perPage, maxPerPage)
	}
	current := max(page, 1)
	totalPages := (n + limit - 1) / limit
	outOfRange := current > totalPages
	next, prev := "", ""
	if !outOfRange && current < totalPages {
		next = strconv.Itoa(current + 1)
	}
	if !outOfRange && current > 1 {
		prev = strconv.Itoa(current - 1)
	}
	counted := n <= maxCountLimit

	href := func(page int) string {
		q.set("page", page)
		q.set("per_page", limit)
		return "<" + c.s.baseURL + c.r.URL.EscapedPath() + "?" + q.encode() + ">"
	}
	var links []string
	if prev != "" {
		links = append(links, href(current-1)+`; rel="prev"`)
	}
	if next != "" {
		links = append(links, href(current+1)+`; rel="next"`)
	}
	links = append(links, href(1)+`; rel="first"`)
	if counted {
		links = append(links, href(max(totalPages, 1))+`; rel="last"`)
	}

	h := c.w.Header()
	h.Set("X-Per-Page", strconv.Itoa(limit))
	h.Set("X-Page", strconv.Itoa(current))
	h.Set("X-Next-Page", next)
	h.Set("X-Prev-Page", prev)
	h.Set("Link", strings.Join(links, ", "))
	if counted {
		h.Set("X-Total", strconv.Itoa(n))
		h.Set("X-Total-Pages", strconv.Itoa(max(totalPages, 1)))
	}

	lo = min((current-1)*limit, n)
	hi = min(lo+limit, n)
	return lo, hi
}

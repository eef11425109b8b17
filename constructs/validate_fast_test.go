package constructs

import (
	"math/rand/v2"
	"strings"
	"testing"

	apivalidation "k8s.io/apimachinery/pkg/api/validation"
	"k8s.io/apimachinery/pkg/util/validation"
)

// TestFastChecksNeverAcceptMore: each fast check may only accept what the
// API server's rule (apimachinery) accepts. Random strings over the
// characters that matter, plus edge cases, all of which the rules see too.
func TestFastChecksNeverAcceptMore(t *testing.T) {
	checks := []struct {
		name string
		fast func(string) bool
		rule func(string) []string
	}{
		{"label value", plainLabelValue, validation.IsValidLabelValue},
		{"label key", plainLabelKey, validation.IsQualifiedName},
		{"DNS label", plainDNSLabel, func(s string) []string { return apivalidation.NameIsDNSLabel(s, false) }},
		{"DNS subdomain", func(s string) bool { return s != "" && plainDNSSubdomain(s) }, func(s string) []string { return apivalidation.NameIsDNSSubdomain(s, false) }},
	}
	inputs := []string{"", "a", "-", "a-", "-a", "a.b", "a..b", ".a", "a.", "/a", "a/", "a/b", "a/b/c", "example.com/x", "Example.com/x",
		"A", "a_b", "_a", strings.Repeat("a", 63), strings.Repeat("a", 64), strings.Repeat("a.", 126) + "a", strings.Repeat("a", 254), "ä", "a b"}
	r := rand.New(rand.NewPCG(1, 2))
	const alphabet = "aZ09-._/ ä"
	for range 20000 {
		n := r.IntN(12)
		var b strings.Builder
		for range n {
			b.WriteString(string([]rune(alphabet)[r.IntN(len([]rune(alphabet)))]))
		}
		inputs = append(inputs, b.String())
	}
	accepted := map[string]int{}
	for _, c := range checks {
		for _, in := range inputs {
			if c.fast(in) {
				accepted[c.name]++
				if msgs := c.rule(in); len(msgs) > 0 {
					t.Errorf("%s: fast check accepts %q, which the rule rejects: %v", c.name, in, msgs)
				}
			}
		}
		if accepted[c.name] < 100 {
			t.Errorf("%s: the fast check accepted only %d inputs; it is not exercised", c.name, accepted[c.name])
		}
	}
}

package document

import (
	"fmt"
	"strconv"
	"strings"
)

// A corpusCase is one JSON document for the YAML tests. Names are stable:
// the golden file and knownDifferences refer to them.
type corpusCase struct {
	name string
	json string
}

// trickyStrings are strings that exercise every choice of YAML scalar
// style. Each is written in a map as a key, as a value at several depths
// and as sequence items (case "string <label>"), and on its own as the
// whole document (case "root <label>").
var trickyStrings = []string{
	// Plain, or nearly.
	"a", "hello world", "nginx:1.25", "http://example.com/a?b=c#d", "a:b", "a: b", "a :b", "a:", ":a", "::",
	"a:\tb", "a#b", "a #b", "#a", "a\t#b", "a\tb", "a,b", "a[b]", "a{b}", "a]", "a}", "a!b", "a&b", "a*b",
	"a|b", "a>b", "a%b", "a@b", "a`b", "a'b", "a\"b", "a'\"b", "a\\b", "\\", "C:\\path", "\\n",
	// Indicators.
	"-", "-a", "- a", "-\ta", "--", "---", "---a", "--- a", "-- a", "...", "....", "..a", "... a",
	"?", "?a", "? a", "?\ta", "??", "*a", "&a", "!a", "!!str", "%a", "%YAML 1.1", "@a", "`a", "|a", "|", ">a", ">",
	"'a", "'", "''", "\"a", "\"", "\"\"", ",a", ",", "[a", "[", "[]", "]", "{a", "{", "{}", "}", "#", "{\"a\":1}", "[1, 2]",
	"<<", "<", "=", "<<a", "a<<",
	// Blanks.
	"", " ", "  ", "\t", " a", "a ", "\ta", "a\t", " a ", "a  b", "\u00a0", "a\u00a0", "\u00a0a", "\u3000", "\u2003", "\u200b",
	// YAML 1.1 booleans and nulls.
	"y", "Y", "yes", "Yes", "YES", "n", "N", "no", "No", "NO", "true", "True", "TRUE", "false", "False", "FALSE",
	"on", "On", "ON", "off", "Off", "OFF", "null", "Null", "NULL", "~", "yES", "tRUE", "nULL", "nil", "None", "oN",
	// Integers.
	"0", "1", "-1", "+1", "007", "0777", "0778", "08", "0o17", "0O17", "-0o17", "+0o17", "0x1F", "0X1F", "-0X1F", "0x1f",
	"0xG", "0x", "0b101", "0B101", "0b102", "0b", "0b+1", "0b-1", "0b+_1", "-0b-1", "0b+", "1_000", "1__0", "_1",
	"1_", "+_1", "-_1", "_", "0_x1", "0x_1", "0b_1", "0_b1", "0o_7", "12345678901234567890", "99999999999999999999999", "0x8000000000000000", "0xFFFFFFFFFFFFFFFFF",
	"0o777777777777777777777777", "-9223372036854775808", "-9223372036854775809", "18446744073709551615", "18446744073709551616",
	"-0", "+0", "00", "0_", "190:20:30", "1:20", "1:60", "1:5:9", "-1:20", "1:20.5", "+190:20:30.15", "1:2:3:4", "12:345",
	"1_0:20", "_1:20", "1:20_", "1:20.", "1:2x",
	// Floats.
	"1.0", "1.", "1.5", ".5", "+.5", "-.5", ".", "._", "+.", "-.", "1e3", "1E3", "1e+3", "1e-3", "1.5e3", ".5e3", "e5", "E5",
	"+e5", ".e5", "e", "1e", "1e+", "1e_3", "1_e3", "1.5e_3", "1.5_e3", "+_.5", "1._5", ".5e1_0", ".5_0", ".5e+1_0",
	".1e1_", "1e400", "-1e400", "1e-400",
	".inf", ".Inf", ".INF", "+.inf", "-.inf", "-.Inf", ".nan", ".NaN", ".NAN", "+.nan", ".infinity", "inf", "Infinity",
	"NaN", "nan", "-inf", "1_000.5", "1,000", "1.2.3", "v1.2.3", "1.0.0-rc1", "100m", "128Mi", "1Gi", "0.5Gi", "2e", "3d",
	"10s", "1e3s", "0x1p-2", "0x1.8p1", "1__.5", "+", "+-1", "--1", "1-2",
	// Timestamps.
	"2001-12-14", "2001-12-14t21:59:43.10-05:00", "2001-12-14 21:59:43.10 -5", "2001-12-15T02:59:43.1Z",
	"2001-12-15 2:59:43.10", "2002-1-2", "2001-12-14T21:59:43", "2001-12-14T21:59", "2001-12-14x", "20011-12-14",
	"2001-12-14 21:59:43 Z", "2001-12-14  21:59:43.10  +05:30", "2001-12-14T21:59:43+5", "2001-12-14T21:59:43+30",
	"2001-12-14T21:59:43.Z", "2001-12-14T21:59:43.123456789Z", "2001-12-14\t21:59:43", "2001-123-14", "2001-12-14T",
	"2001-12-14T21:59:43+05:3", "2001-12-14T21:59:43+0530", "1:2:3.5", "2001:12:14",
	// Multi-line.
	"a\nb", "a\nb\n", "a\nb\n\n", "a\nb\n\n\n", "a\n\nb", "a\n\n\nb", "\na", "\n\na", " a\nb", "  a\nb", "a\n b",
	"a\n\tb", "\ta\nb", "\n\ta", "\n \ta", "a\nb ", "a\nb\t", "a \nb", "a\t\nb", "a\n ", "a\n \n", "a\n\n ", "a\n\t",
	"a\n \nb", "a\n  \n\nb\n", "a \n \n", "a\n\n \n\n", "a\n \n\n", "\n", "\n\n", "\n \n", " \n", "\n ", " \n a", "\n a\n",
	"a\n---\nb", "a\n...\nb", "a\n%b", "---\na", "...\na", "%a\nb", "a\n#b", "a\n- b", "#a\nb", "a: b\nc: d", "- a\n- b",
	"\"a\nb", "'a\nb", "\"a'\nb", "a\n\"b\"", "a:\nb", "a #\nb", "a\n\u3000", "\u3000\n", "a\nb\u00a0",
	// Characters that force double quotes.
	"\x00", "a\x00b", "\x01", "\x07", "\b", "a\bb", "\v", "\f", "\r", "a\r\nb", "\ra", "\x0e", "\x1a", "\x1b", "\x1f", "\x7f",
	"a\x7fb", "\u0080", "\u0085", "a\u0085b", "\u009f", "\u00a0\u0001", "\u2028", "a\u2028b", "\u2029", "a\u2029b",
	"\ufeff", "\ufeffa", "a\ufeffb", "\ufffe", "\uffff", "a\uffffb", "\ufffd", "\x01a\nb", "\x01 a \n b ", "a\tb\x01",
	"\x01\"'", "\x01\"", "\x01'",
	// Unicode.
	"日本語", "émoji 😀", "😀", "a😀b", "😀: a", "\U0001F600 \U0001F601", "Ω", "ß", "שלום", "e\u0301", "👨\u200d👩\u200d👧", "\u00ad",
	"\U0010FFFF", "\ue000", "\uf8ff", "𝔘𝔫𝔦𝔠𝔬𝔡𝔢",
}

// longStrings are strings with explicit labels: long ones, and ones built
// around yaml@2.5.0's thresholds (40 JSON characters for folding double
// quoted strings, 1024 characters for implicit keys).
func longStrings() [][2]string {
	lorem := "Lorem ipsum dolor sit amet, consectetur adipiscing elit, sed do eiusmod tempor incididunt ut labore et dolore magna aliqua. "
	a := strings.Repeat("a", 50)
	return [][2]string{
		{"lorem", strings.Repeat(lorem, 3)},
		{"lorem-trailing-space", strings.Repeat(lorem, 2)},
		{"lorem-lines", strings.Repeat(lorem+"\n", 4)},
		{"lorem-lines-indented", strings.Repeat("  "+lorem+"\n", 3)},
		{"lorem-colon", strings.Repeat("key: value ", 30)},
		{"long-word", strings.Repeat("x", 300)},
		{"ctrl-38", "\x01" + strings.Repeat("a", 36)},
		{"ctrl-38-nl", "\x01" + strings.Repeat("a", 33) + "\nb"},
		{"ctrl-39-nl", "\x01" + strings.Repeat("a", 34) + "\nb"},
		{"ctrl-40-nl", "\x01" + strings.Repeat("a", 35) + "\nb"},
		{"ctrl-long-nl", "\x01" + a + "\nb"},
		{"ctrl-long-nl-end", "\x01" + a + "\n"},
		{"ctrl-long-nl-nl-end", "\x01" + a + "\n\n"},
		{"ctrl-long-3nl", "\x01" + a + "\n\n\nb"},
		{"ctrl-long-3nl-end", "\x01" + a + "\n\n\n"},
		{"ctrl-long-nl-space", "\x01" + a + "\n b"},
		{"ctrl-long-nl-2space", "\x01" + a + "\n  b"},
		{"ctrl-long-space-nl", "\x01" + a + " \nb"},
		{"ctrl-long-nl-space-nl", "\x01" + a + "\n \nb"},
		{"ctrl-long-nl-space-end", "\x01" + a + "\n "},
		{"ctrl-long-nl-tab", "\x01" + a + "\n\tb"},
		{"ctrl-long-docmarker", "\x01" + a + "\n---\nb"},
		{"ctrl-long-docmarker-end", "\x01" + a + "\n..."},
		{"ctrl-long-percent", "\x01" + a + "\n%b"},
		{"ctrl-long-quote", "\x01\"" + a + "\n\"b"},
		{"ctrl-long-backslash", "\x01\\" + a + "\n\\nb"},
		{"ctrl-long-astral", "\x01" + strings.Repeat("😀", 19) + "\nb"},
		{"blank-line-long", a + "\n  "},
		{"blank-line-long-nl", a + "\n \n  "},
		{"spaces-long", strings.Repeat(" ", 45)},
		{"newlines-long", strings.Repeat("\n", 45)},
		{"key-1024", strings.Repeat("k", 1024)},
		{"key-1025", strings.Repeat("k", 1025)},
		{"key-1023-quoted", "#" + strings.Repeat("k", 1021)},
		{"key-1024-quoted", "#" + strings.Repeat("k", 1022)},
		{"key-astral-512", strings.Repeat("😀", 512)},
		{"key-astral-513", strings.Repeat("😀", 513)},
		{"key-bmp-1025", strings.Repeat("é", 1025)},
		{"key-escaped-1025", strings.Repeat("\x01", 171)},
	}
}

// numbers are JSON number texts of every shape.
var numbers = []string{
	"0", "-0", "1", "-1", "42", "1.0", "1.5", "-1.5", "0.1", "123.456", "1e3", "1E3", "1e+3", "1E+3", "1e-3",
	"1.25e2", "1.0e0", "-0.0", "0e0", "2.5e-5", "1e21", "1E+21", "1e20", "123456789012345", "1234567890123456",
	"12345678901234567", "123456789012345678", "12345678901234567890", "-12345678901234567890", "9007199254740991",
	"9007199254740992", "9007199254740993", "9223372036854775807", "-9223372036854775808", "18446744073709551615",
	"4294967295", "1e-6", "1e-7", "0.000001", "0.0000001", "0.00000123", "1.7976931348623157e308",
	"5e-324", "2.2250738585072014e-308", "1e400", "-1e400", "1e-400", "100000000000000000000", "1000000000000000000000",
	"0.30000000000000004", "3.14159265358979323846", "1.5e300", "-2.5E-300", "123e-2", "1234.5e-10",
}

// structures are documents whose shape matters more than their scalars.
var structures = []corpusCase{
	{"null", `null`},
	{"true", `true`},
	{"false", `false`},
	{"empty map", `{}`},
	{"empty list", `[]`},
	{"map of empties", `{"a":{},"b":[],"c":"x"}`},
	{"list of empties", `[{},[],{}]`},
	{"nested empty lists", `[[[]],[[],[]]]`},
	{"nested empty maps", `{"a":{"b":{"c":{}}}}`},
	{"empties deep", `{"a":[{"b":[]},{"c":{}},[{}],[[]]]}`},
	{"list of lists", `[[1,2],[3,[4,5]],[[["deep"]]]]`},
	{"list of maps", `[{"a":1,"b":2},{"c":3},{"d":{"e":[1]}}]`},
	{"maps in lists in maps", `{"a":[{"b":[{"c":[1,{"d":"e"}]}]}],"f":{"g":[[{"h":null}]]}}`},
	{"null items", `[null,null,{"a":null},[null]]`},
	{"null members", `{"a":null,"b":{"c":null}}`},
	{"booleans", `{"a":true,"b":false,"c":[true,false]}`},
	{"index keys", `{"b":1,"10":2,"9":3,"0":4,"a":5,"01":6,"4294967294":7,"4294967295":8,"-1":9}`},
	{"byte order mark first key", `{"\ufeffa":{"\ufeffb":"\ufeffc"},"\ufeffd":["\ufeffe"]}`},
	{"byte order mark list", `["\ufeffa"]`},
	{"byte order marks in a long list", "[" + strings.Repeat(`"`+strings.Repeat("a\ufeffb", 9)+`",`, 30) + "1]"},
	{"duplicate keys", `{"a":1,"b":2,"a":3,"1":4,"1":5}`},
	{"multi-line in lists", `[["a\nb","c\n"],{"k":["x\n\ny"]},"z\n"]`},
	{"multi-line deep", `{"a":{"b":{"c":{"d":"line1\nline2\n","e":" lead\ntrail "}}}}`},
	{"long key with map", `{"` + strings.Repeat("k", 1100) + `":{"a":1,"b":[1,2]},"x":[]}`},
	{"long key with list", `{"` + strings.Repeat("k", 1100) + `":[1,{"a":"b"}]}`},
	{"long key with empty", `{"` + strings.Repeat("k", 1100) + `":{}}`},
	{"long key with block", `{"` + strings.Repeat("k", 1100) + `":"a\nb"}`},
	{"long key in list", `[{"` + strings.Repeat("k", 1100) + `":1}]`},
	{"configmap", `{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"scripts","namespace":"default"},"data":{` +
		`"run.sh":"#!/bin/sh\nset -eu\necho \"starting $HOSTNAME\"\nexec /app --port=8080\n",` +
		`"nginx.conf":"server {\n\tlisten 80;\n\tlocation / {\n\t\tproxy_pass http://backend;\n\t}\n}\n",` +
		`"config.json":"{\n  \"a\": 1,\n  \"b\": [true, null]\n}",` +
		`"empty":"","space":" ","yes":"yes","port":"8080","version":"1.10","ratio":"0.5","octal":"0755"}}`},
	{"secret", `{"apiVersion":"v1","kind":"Secret","metadata":{"name":"s"},"type":"Opaque","data":{"password":"cGFzc3dvcmQ=","token":"dG9rZW4K"}}`},
	{"crd description", `{"description":"Spec defines the desired state: see https://example.com/#spec. Values: a, b; c.","x-kubernetes-preserve-unknown-fields":true,"enum":["A: b","#c","- d"]}`},
	{"deployment", deploymentJSON},
}

// corpus returns every case of the YAML tests.
func corpus() []corpusCase {
	var cases []corpusCase
	addString := func(label, s string) {
		q := string(AppendJSON(nil, Value{Kind: String, Scalar: s}))
		cases = append(cases,
			corpusCase{"string " + label, fmt.Sprintf(`{"value":%[1]s,%[1]s:%[1]s,"list":[%[1]s,[%[1]s],{"key":%[1]s}],"nested":{"deeper":{%[1]s:[%[1]s]}}}`, q)},
			corpusCase{"root " + label, q},
		)
	}
	for _, s := range trickyStrings {
		addString(strconv.Quote(s), s)
	}
	for _, ls := range longStrings() {
		addString(ls[0], ls[1])
	}
	for _, n := range numbers {
		cases = append(cases,
			corpusCase{"number " + n, fmt.Sprintf(`{"value":%[1]s,"list":[%[1]s,[%[1]s]]}`, n)},
			corpusCase{"root number " + n, n},
		)
	}
	return append(cases, structures...)
}

// deploymentJSON is a realistic Deployment of about 2.5 KB.
const deploymentJSON = `{"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"web","namespace":"production",` +
	`"labels":{"app.kubernetes.io/name":"web","app.kubernetes.io/instance":"web-prod","app.kubernetes.io/version":"1.25.3",` +
	`"app.kubernetes.io/component":"frontend","app.kubernetes.io/part-of":"shop","app.kubernetes.io/managed-by":"tsumiki"},` +
	`"annotations":{"deployment.kubernetes.io/revision":"3","prometheus.io/scrape":"true","prometheus.io/port":"9090",` +
	`"description":"Frontend web server: serves the shop UI. See https://example.com/docs#web"}},` +
	`"spec":{"replicas":3,"revisionHistoryLimit":10,"selector":{"matchLabels":{"app.kubernetes.io/name":"web",` +
	`"app.kubernetes.io/instance":"web-prod"}},"strategy":{"type":"RollingUpdate","rollingUpdate":{"maxUnavailable":0,"maxSurge":"25%"}},` +
	`"template":{"metadata":{"labels":{"app.kubernetes.io/name":"web","app.kubernetes.io/instance":"web-prod"},` +
	`"annotations":{"checksum/config":"5f2a8c1e9d3b7a6f4e0c2b8a1d9e7f3c5b4a6d8e0f1c3b5a7d9e2f4a6c8b0d1e"}},` +
	`"spec":{"serviceAccountName":"web","securityContext":{"runAsNonRoot":true,"runAsUser":10001,"fsGroup":10001},` +
	`"containers":[{"name":"web","image":"registry.example.com/shop/web:1.25.3@sha256:0123456789abcdef",` +
	`"imagePullPolicy":"IfNotPresent","args":["--port=8080","--log-level=info","--config=/etc/web/config.yaml"],` +
	`"ports":[{"name":"http","containerPort":8080,"protocol":"TCP"},{"name":"metrics","containerPort":9090,"protocol":"TCP"}],` +
	`"env":[{"name":"GOMAXPROCS","value":"2"},{"name":"LOG_FORMAT","value":"json"},{"name":"FEATURE_FLAGS","value":"a,b,c"},` +
	`{"name":"POD_NAME","valueFrom":{"fieldRef":{"apiVersion":"v1","fieldPath":"metadata.name"}}},` +
	`{"name":"DB_PASSWORD","valueFrom":{"secretKeyRef":{"name":"db","key":"password"}}}],` +
	`"resources":{"limits":{"cpu":"1","memory":"512Mi"},"requests":{"cpu":"250m","memory":"256Mi"}},` +
	`"livenessProbe":{"httpGet":{"path":"/healthz","port":"http","scheme":"HTTP"},"initialDelaySeconds":10,"periodSeconds":10,` +
	`"timeoutSeconds":1,"successThreshold":1,"failureThreshold":3},"readinessProbe":{"httpGet":{"path":"/ready","port":8080,` +
	`"scheme":"HTTP"},"periodSeconds":5,"timeoutSeconds":1,"successThreshold":1,"failureThreshold":3},` +
	`"volumeMounts":[{"name":"config","readOnly":true,"mountPath":"/etc/web"},{"name":"tmp","mountPath":"/tmp"}],` +
	`"securityContext":{"allowPrivilegeEscalation":false,"readOnlyRootFilesystem":true,"capabilities":{"drop":["ALL"]}}}],` +
	`"volumes":[{"name":"config","configMap":{"name":"web-config","defaultMode":420}},{"name":"tmp","emptyDir":{}}],` +
	`"affinity":{"podAntiAffinity":{"preferredDuringSchedulingIgnoredDuringExecution":[{"weight":100,"podAffinityTerm":` +
	`{"labelSelector":{"matchLabels":{"app.kubernetes.io/name":"web"}},"topologyKey":"kubernetes.io/hostname"}}]}},` +
	`"tolerations":[{"key":"dedicated","operator":"Equal","value":"web","effect":"NoSchedule"}]}}},"status":{}}`

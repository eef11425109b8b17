package cdk8scompat

import (
	"maps"
	"slices"
	"strings"
	"testing"

	appsv1 "k8s.io/api/apps/v1"
	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	rbacv1 "k8s.io/api/rbac/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/intstr"

	"gitlab.com/tsumiki/tsumiki/constructs"
)

// corpus returns the cases, built fresh on every call because the typed
// objects are pointers the builders share.
func corpus() []caseSpec {
	return []caseSpec{
		{
			// The everyday shape: a chart with a namespace and labels, a
			// Deployment and a Service with generated names, a named
			// ConfigMap. Deployment and Service carry the empty status
			// typed structs marshal.
			name:   "hello",
			layout: filePerChart,
			nodes: []nodeSpec{
				chart("hello", chartSpec{namespace: "hello", labels: map[string]string{"app.kubernetes.io/part-of": "hello"}},
					include("web",
						item(deployment("", "web", 3)),
						item(service("", "web")),
						item(configMap("web-config", "", map[string]string{"greeting": "hi"})),
					),
				),
			},
		},
		{
			// Several levels of plain constructs, objects under objects, and
			// the ids cdk8s drops from names (Default, Resource) at several
			// depths. FILE_PER_APP shows the order of every object.
			name:   "nested-constructs",
			layout: filePerApp,
			nodes: []nodeSpec{
				chart("platform", chartSpec{},
					group("Frontend",
						group("Web",
							cm("Resource"),
							cm("Default"),
							cm("settings"),
						),
						group("Default", cm("config")),
					),
					group("a", group("b", group("c", group("d", group("e", cm("leaf")), cm("in-d")), cm("in-c")))),
					object("parent", objectSpec{apiVersion: "v1", kind: "ConfigMap"},
						cm("child"),
						group("Resource", cm("grandchild")),
					),
				),
			},
		},
		{
			// Ids that are JavaScript array indices ("0", "2", "10") sort
			// before all other keys of a JavaScript object, whatever the order
			// they were added in; "01" and 2³²−1 are not indices.
			name:   "array-index-ids",
			layout: filePerApp,
			nodes: []nodeSpec{
				chart("10", chartSpec{}, cm("x")),
				chart("x", chartSpec{},
					cm("10"), cm("b"), cm("2"), cm("a"), cm("0"), cm("01"), cm("4294967295"), cm("4294967294"),
					group("7", cm("3"), cm("z"), cm("1")),
				),
				chart("2", chartSpec{}, cm("x")),
				chart("0", chartSpec{}, cm("x")),
			},
		},
		{
			// Paths longer than 63 characters lose their leading
			// components; a cut may end in "_" or ".", which tsumiki then
			// drops. A 63-character chart id that is already a DNS label
			// names its file as is; one character more, and it gets a hash.
			name:   "long-paths",
			layout: filePerChart,
			nodes: []nodeSpec{
				chart(strings.Repeat("c", 63), chartSpec{}, cm("x")),
				chart(strings.Repeat("d", 64), chartSpec{}, cm("x")),
				chart("Long_Chart.Name", chartSpec{},
					group("ThisIdentifierIsDefinitelyLongerThanSixtyThreeCharacters_AllOnItsOwn",
						group("and_then.some.more_nesting.levels.with.dots",
							cm("TheActualObjectWithAnotherRatherLongIdentifier"),
						),
						cm("short"),
					),
					group("cut_here_at_the_underscore_of_this_component_xxxxx", cm("abcdefgh")),
					group("cut.here.at.the.dot.of.this.component.xxxxxx.zzzz", cm("abcdefgh")),
					group(strings.Repeat("x", 70), cm("y")),
				),
				chart("No_Hash.Chart", chartSpec{noHashes: true},
					group("ThisIdentifierIsDefinitelyLongerThanSixtyThreeCharacters_AllOnItsOwn",
						cm("and_a_long_object_id_too"),
					),
				),
			},
		},
		{
			// CronJob names stop at 52 characters: the controller adds 11 to
			// name its Jobs.
			name:   "cronjob-names",
			layout: filePerChart,
			nodes: []nodeSpec{
				chart("batch_jobs", chartSpec{namespace: "batch"},
					group("nightly_maintenance.tasks",
						object("database_vacuum.and.reindex", objectSpec{apiVersion: "batch/v1", kind: "CronJob"}),
						include("report_generation.weekly", item(cronJob("", "0 3 * * 1"))),
					),
					object("short", objectSpec{apiVersion: "batch/v1", kind: "CronJob"}),
				),
			},
		},
		{
			// Ids with every kind of character cdk8s normalizes: case,
			// dots, underscores, characters it drops, "/" (read as "--"),
			// and the ids Default and Resource in every spelling.
			name:   "odd-ids",
			layout: filePerChart,
			nodes: []nodeSpec{
				chart("My_Chart.v2", chartSpec{},
					cm("UPPER"),
					cm("dots.in.id"),
					cm("under_score"),
					cm("Mixed-Case_and.Dots"),
					cm("日本語"),
					cm("İK"), // U+0130 and the Kelvin sign lower-case to ASCII
					cm("emoji😀face"),
					cm("with space"),
					cm("slash/id"),
					cm("--"),
					cm("-leading"),
					cm("trailing-"),
					cm("..."),
					cm("___"),
					cm("a..b__c--d"),
					cm("default"),
					cm("RESOURCE"),
					cm("my.resource"),
					cm("resource_default"),
					cm("x.Default.y"),
					group("Ünïcödé", cm("ß")),
				),
				chart("dedup", chartSpec{},
					group("web", group("web", cm("web"))),
					group("Web", group("web", cm("WEB"))),
					group("app", group("Default", group("app", cm("x")))),
					group("app_1", group("app.1", cm("app-1"))),
				),
			},
		},
		{
			// Chart namespaces and labels, objects with their own, and
			// cluster-scoped kinds, which get no chart namespace in
			// tsumiki. A file per resource, named with the namespace.
			name:   "namespaces-and-labels",
			layout: filePerResource,
			nodes: []nodeSpec{
				chart("team-a", chartSpec{namespace: "team-a", labels: map[string]string{
					"app.kubernetes.io/part-of": "shop",
					"tier":                      "backend",
					"empty":                     "",
				}},
					object("frontend", objectSpec{apiVersion: "v1", kind: "ConfigMap", labels: map[string]string{"tier": "frontend", "extra": "x"}}),
					object("elsewhere", objectSpec{apiVersion: "v1", kind: "ConfigMap", namespace: "other"}),
					include("cluster",
						item(namespace("team-a")),
						item(clusterRole("shop-reader")),
						item(configMap("in-kube-system", "kube-system", map[string]string{"a": "b"})),
						item(&corev1.ConfigMap{ObjectMeta: metav1.ObjectMeta{Labels: map[string]string{"tier": "typed", "z": "last"}}}),
						item(persistentVolume("")),
					),
					object("widgets", objectSpec{apiVersion: "apiextensions.k8s.io/v1", kind: "CustomResourceDefinition", name: "widgets.example.com"}),
					object("Binding_Of.Readers", objectSpec{apiVersion: "rbac.authorization.k8s.io/v1", kind: "ClusterRoleBinding"}),
					object("class", objectSpec{apiVersion: "storage.k8s.io/v1", kind: "StorageClass"}),
				),
				chart("global", chartSpec{labels: map[string]string{"scope": "global"}},
					object("ns_b", objectSpec{apiVersion: "v1", kind: "Namespace", labels: map[string]string{"scope": "mine"}}),
					cm("no_namespace"),
				),
			},
		},
		{
			// Explicit names win over generated ones and are kept exactly,
			// dots included.
			name:   "explicit-names",
			layout: filePerChart,
			nodes: []nodeSpec{
				chart("named", chartSpec{namespace: "named"},
					object("Some_Id", objectSpec{apiVersion: "v1", kind: "ConfigMap", name: "web.example.com"}),
					object("other.id", objectSpec{apiVersion: "v1", kind: "Secret", name: "x-y"}),
					object("Resource", objectSpec{apiVersion: "v1", kind: "ServiceAccount", name: "default"}),
					include("typed", item(configMap("named-config", "", map[string]string{"k": "v"}))),
				),
			},
		},
		{
			// Without hashes, names are the path alone.
			name:   "disabled-hashes",
			layout: filePerChart,
			nodes: []nodeSpec{
				chart("Plain_Chart", chartSpec{noHashes: true, namespace: "plain"},
					group("Web_Server",
						cm("config.v1"),
						cm("Resource"),
						include("content", item(deployment("", "web", 1))),
					),
					group("A_Rather_Long_Group_Name_For_The_Nightly_Jobs",
						object("cleanup.job", objectSpec{apiVersion: "batch/v1", kind: "CronJob"}),
					),
				),
			},
		},
		{
			// Dependencies inside a chart: object on object, construct on
			// construct, object on a construct's objects.
			name:   "object-dependencies",
			layout: filePerChart,
			nodes: []nodeSpec{
				chart("deps", chartSpec{},
					cm("a"), cm("b"), cm("c"),
					group("g", cm("x"), cm("y")),
					group("h", cm("z")),
					group("i", cm("w"), group("deeper", cm("v"))),
				),
			},
			deps: []depSpec{
				{"deps/a", "deps/c"},
				{"deps/g", "deps/h"},
				{"deps/b", "deps/g/y"},
				{"deps/h/z", "deps/a"},
				{"deps/c", "deps/i"},
				{"deps/g/x", "deps/g"}, // an object on its own parent: on its sibling
				{"deps/b", "deps"},     // an object on its chart: on every other object in it
			},
		},
		{
			// Dependencies between charts, direct and through their
			// objects, switch file names to the indexed form.
			name:   "chart-dependencies",
			layout: filePerChart,
			nodes: []nodeSpec{
				chart("frontend", chartSpec{namespace: "web"}, cm("config"), include("app", item(deployment("", "frontend", 2)))),
				chart("backend", chartSpec{namespace: "api"}, cm("config")),
				chart("database", chartSpec{namespace: "db"}, cm("config")),
				chart("monitoring", chartSpec{}, cm("config")),
			},
			deps: []depSpec{
				{"frontend", "backend"},
				{"backend/config", "database/config"},
			},
		},
		{
			// Charts in charts (a chart depends on the charts inside it) and
			// charts inside plain constructs, a folder per chart, a custom
			// extension, and two objects of the same name in different
			// namespaces of one chart, which cdk8s writes to the same file.
			name:       "nested-charts",
			layout:     folderPerChartFilePerResource,
			ext:        ".yml",
			cdk8sLoses: 1,
			nodes: []nodeSpec{
				chart("outer", chartSpec{namespace: "outer"},
					cm("own"),
					object("settings-a", objectSpec{apiVersion: "v1", kind: "ConfigMap", name: "settings", namespace: "a"}),
					object("settings-b", objectSpec{apiVersion: "v1", kind: "ConfigMap", name: "settings", namespace: "b"}),
					chart("inner", chartSpec{namespace: "inner"}, cm("own")),
					group("g", chart("Deep_Chart", chartSpec{labels: map[string]string{"deep": "yes"}}, cm("own"), include("ns", item(namespace(""))))),
				),
				group("envs", chart("prod", chartSpec{namespace: "prod"}, cm("own"))),
			},
		},
		{
			// A folder per chart without dependencies between charts: no
			// index in the folder names.
			name:   "folder-per-chart",
			layout: folderPerChartFilePerResource,
			nodes: []nodeSpec{
				chart("one", chartSpec{namespace: "one"}, cm("a"), include("web", item(deployment("", "web", 1)))),
				chart("Two_Chart", chartSpec{}, cm("a"), include("ns", item(namespace("two")))),
				chart("three", chartSpec{namespace: "three"}),
			},
		},
		{
			// Chart order follows dependencies, not construction.
			name:   "file-per-app-chart-order",
			layout: filePerApp,
			ext:    "-all.yaml",
			nodes: []nodeSpec{
				chart("c", chartSpec{}, cm("x")),
				chart("b", chartSpec{}, cm("x")),
				chart("a", chartSpec{}, cm("x"), chart("a-child", chartSpec{}, cm("x"))),
				chart("d", chartSpec{}, cm("x")),
			},
			deps: []depSpec{
				{"c", "b"},
				{"b", "a"},
				{"d/x", "c/x"},
			},
		},
		{
			// Charts inside a plain construct at the top of the app.
			name:   "app-level-groups",
			layout: filePerChart,
			nodes: []nodeSpec{
				group("envs",
					chart("prod", chartSpec{namespace: "prod"}, cm("config")),
					chart("Staging_Env", chartSpec{namespace: "staging"}, cm("config")),
				),
			},
		},
		{
			// Same-named objects in two namespaces: cdk8s writes both to
			// ConfigMap.settings.k8s.yaml, the second overwriting the first.
			name:       "namespace-collision",
			layout:     filePerResource,
			cdk8sLoses: 2,
			nodes: []nodeSpec{
				chart("blue", chartSpec{namespace: "blue"},
					include("app", item(configMap("settings", "", map[string]string{"color": "blue"})), item(deployment("web", "web", 1))),
				),
				chart("green", chartSpec{namespace: "green"},
					include("app", item(configMap("settings", "", map[string]string{"color": "green"})), item(deployment("web", "web", 1))),
				),
			},
		},
		{
			// JSON patches on nested paths. They run after keys are sorted,
			// so new keys land at the end of their object (array indices
			// first), replaced values keep their place, and patched names
			// and namespaces are what gets written.
			name:   "json-patches",
			layout: filePerResource,
			nodes: []nodeSpec{
				chart("patched", chartSpec{namespace: "patched"},
					include("content",
						item(deployment("patched", "web", 2),
							patchAdd("/spec/template/spec/containers/0/env/-", map[string]any{"name": "ADDED", "value": "1"}),
							patchAdd("/spec/template/spec/containers/0/args/0", "--first"),
							patchReplace("/spec/replicas", 5),
							patchRemove("/spec/template/spec/containers/0/ports"),
							patchMove("/spec/template/metadata/labels/app", "/spec/template/metadata/labels/moved"),
							patchCopy("/spec/selector", "/spec/selectorCopy"),
							patchAdd("/aNewTopLevelKey", map[string]any{"z": 1, "a": []any{true, false, "x"}}),
							patchAdd("/metadata/annotations", map[string]any{"note": "added by patch"}),
							patchTest("/spec/replicas", 5),
							patchAdd("/spec/template/spec/containers/0/resources/limits", map[string]any{"memory": "1Gi", "cpu": "500m"}),
							patchReplace("/spec/strategy", map[string]any{"type": "Recreate"}),
						),
						item(configMap("", "", map[string]string{"b": "2", "a": "1", "c": "3"}),
							patchAdd("/data/7", "an array index key goes first"),
							patchAdd("/data/zzz", "appended"),
							patchAdd("/data/aaa", "appended too, after zzz"),
							patchReplace("/data/b", "replaced in place"),
							patchAdd("/numbers", map[string]any{
								"float": 1.5, "big": 1e21, "small": 1.5e-7, "int": 123456789012, "negative": -42,
								"10": "index keys first", "9": "numerically",
							}),
							patchAdd("/emptyMap", map[string]any{}),
							patchAdd("/emptyList", []any{}),
							patchAdd("/data/~1slash~0tilde", "escaped pointer"),
							patchAdd("/data/01", "not an array index"),
							patchCopy("/data", "/data/self"),
						),
					),
					object("renamed", objectSpec{apiVersion: "v1", kind: "ConfigMap", patches: []patchSpec{
						patchReplace("/metadata/name", "renamed-by-patch"),
						patchAdd("/data", map[string]any{"k": "v"}),
					}}),
					object("Moved_Namespace", objectSpec{apiVersion: "v1", kind: "ConfigMap", patches: []patchSpec{
						patchReplace("/metadata/namespace", "moved"),
						patchAdd("/metadata/labels", map[string]any{"added": "true"}),
					}}),
					object("spec_holder", objectSpec{apiVersion: "example.com/v1", kind: "Widget", patches: []patchSpec{
						patchAdd("/spec", map[string]any{"b": 1, "a": map[string]any{"d": 2, "c": 3}}),
						patchAdd("/spec/list", []any{map[string]any{"y": 1, "x": 2}, "s", 3.25}),
					}}),
				),
			},
		},
		{
			// Strings YAML 1.1 would read as something else, and strings
			// that need block or escaped forms.
			name:         "configmap-strings",
			allowSecrets: true, // the Secret below holds data
			layout:       filePerChart,
			nodes: []nodeSpec{
				chart("strings", chartSpec{},
					include("data",
						item(configMap("tricky", "", trickyStrings())),
						item(configMap("tricky-keys", "", trickyKeys())),
						item(&corev1.ConfigMap{
							ObjectMeta: metav1.ObjectMeta{
								Name: "annotated",
								Annotations: map[string]string{
									"multi-line": "line1\nline2\n",
									"json":       `{"a":1,"b":[true,null]}`,
									"yes":        "yes",
									"long":       strings.Repeat("annotation ", 30),
								},
								Labels:       map[string]string{"version": "1.0", "enabled": "true", "octal": "010"},
								Finalizers:   []string{"example.com/keep", "yes"},
								GenerateName: "annotated-",
							},
						}),
						item(&corev1.ConfigMap{
							ObjectMeta: metav1.ObjectMeta{Name: "binary"},
							BinaryData: map[string][]byte{"blob": {0, 1, 2, 0xff, 0xfe}, "text": []byte("hello\n")},
							Immutable:  ptr(true),
						}),
						item(&corev1.Secret{
							ObjectMeta: metav1.ObjectMeta{Name: "secret"},
							StringData: map[string]string{"password": "p@ss: word # not a comment", "0777": "0777"},
							Type:       corev1.SecretTypeOpaque,
						}),
					),
				),
			},
		},
		{
			// Characters outside printable ASCII, and number look-alikes
			// YAML 1.1 does not know.
			name:   "unusual-scalars",
			layout: filePerChart,
			nodes: []nodeSpec{
				chart("chars", chartSpec{},
					include("data", item(configMap("unusual", "", unusualStrings()))),
				),
			},
		},
		{
			// Strings cdk8s writes so that Go's YAML parser, which kubectl
			// and Flux use, reads something else: number forms YAML 1.1
			// does not have but Go's strconv does, characters Go rejects
			// raw, and line separators Go breaks lines at.
			name:       "strings-go-misreads",
			layout:     filePerResource,
			goMisreads: goMisreadStrings(),
			nodes: []nodeSpec{
				chart("misread", chartSpec{}, include("data", misreadItems()...)),
			},
		},
		{
			// Lists and maps nested in each other, holding the strings above,
			// as only a patch can write them into an object.
			name:   "nested-collections",
			layout: filePerChart,
			nodes: []nodeSpec{
				chart("collections", chartSpec{},
					object("holder", objectSpec{apiVersion: "example.com/v1", kind: "Holder", patches: []patchSpec{
						patchAdd("/spec", map[string]any{
							"strings":      []any{"yes", "- x", "", "multi\nline\n", "  lead", "key: value", "~", "0777", "1e3"},
							"nested-lists": []any{[]any{1, 2}, []any{}, []any{[]any{"deep"}}, map[string]any{}},
							"maps-in-list": []any{
								map[string]any{"text": "first\nsecond\n", "n": 1},
								// No nil here: jsii hands a Go nil to JavaScript as
								// undefined, which drops the key before cdk8s sees it.
								map[string]any{"b": map[string]any{"c": []any{"x", map[string]any{"d": "e"}}}, "a": "z"},
								map[string]any{},
							},
							"numbers": []any{
								tenth + 2*tenth, 1e-7, 5e-324, 1.7976931348623157e308, 123456789012345678, -1.5e300, 100, 1e20, 1e21, 2.5e-6,
							},
							"bools": []any{true, false},
						}),
					}}),
				),
			},
		},
		{
			// Namespaces, labels and names YAML 1.1 would read as booleans,
			// nulls or numbers.
			name:   "yaml-words",
			layout: filePerResource,
			nodes: []nodeSpec{
				chart("Default", chartSpec{namespace: "on", noHashes: true, labels: map[string]string{"yes": "no", "null": "true"}},
					cm("on"),
					cm("123"),
					cm("null"),
					cm("y"),
				),
				chart("yes", chartSpec{namespace: "null"}, cm("off")),
			},
		},
		{
			// Empty maps and lists survive (only metadata drops them), as do
			// empty strings.
			name:   "empty-values",
			layout: filePerChart,
			nodes: []nodeSpec{
				chart("empty", chartSpec{namespace: "empty"},
					include("content",
						item(&corev1.Pod{
							Spec: corev1.PodSpec{
								Containers: []corev1.Container{},
								Volumes: []corev1.Volume{
									{Name: "scratch", VolumeSource: corev1.VolumeSource{EmptyDir: &corev1.EmptyDirVolumeSource{}}},
									{Name: "sized", VolumeSource: corev1.VolumeSource{EmptyDir: &corev1.EmptyDirVolumeSource{SizeLimit: ptr(resource.MustParse("1Gi"))}}},
								},
								NodeSelector: map[string]string{},
							},
						}),
						item(configMap("empty-value", "", map[string]string{"empty": "", "space": " "})),
					),
					object("meta_only", objectSpec{apiVersion: "v1", kind: "ConfigMap", labels: map[string]string{}}),
				),
			},
		},
		{
			// A chart without objects still gets its (empty) file.
			name:   "empty-chart",
			layout: filePerChart,
			nodes:  []nodeSpec{chart("nothing", chartSpec{}), chart("something", chartSpec{}, cm("x"))},
		},
		{
			// An app without charts writes no file at all.
			name:   "empty-app",
			layout: filePerApp,
		},

		{
			// Dependencies across nested charts and through constructs that
			// hold charts, declared against construction order.
			name:   "tangled-dependencies",
			layout: filePerApp,
			nodes: []nodeSpec{
				chart("top", chartSpec{},
					cm("late"),
					group("holder", cm("in-holder"), chart("sub", chartSpec{}, cm("s1"), cm("s2"))),
					cm("early"),
				),
				chart("side", chartSpec{}, cm("x"), group("g", cm("y"), cm("z"))),
				chart("0", chartSpec{}, cm("first")),
			},
			deps: []depSpec{
				{"top/late", "top/early"},
				{"top/holder", "top/early"},        // a construct holding a chart: only its own chart's objects
				{"top/early", "top/holder/sub/s2"}, // a chart's object on a nested chart's object
				{"top/holder/sub/s1", "top/holder/sub/s2"},
				{"side/g", "side/x"},
				{"side/g/z", "side/g/y"},
				{"side", "top/holder/sub"},
				{"0", "side/g"},
			},
		},

		{
			// Patch operations at their edges, as fast-json-patch (which
			// cdk8s uses) applies them: a move onto itself removes and adds,
			// so a member goes last; add and copy over an existing member
			// keep its place. Top-level keys that are array indices come
			// before apiVersion, kind and metadata, as in any JavaScript
			// object.
			name:   "patch-edges",
			layout: filePerChart,
			nodes: []nodeSpec{
				chart("edges", chartSpec{namespace: "edges"},
					object("moves", objectSpec{apiVersion: "example.com/v1", kind: "Widget", patches: []patchSpec{
						patchAdd("/spec", map[string]any{"a": 1, "b": 2, "c": 3, "list": []any{"x", "y", "z"}, "7": "index", "obj": map[string]any{"k": "v"}}),
						patchMove("/spec/a", "/spec/a"),
						patchMove("/spec/list/1", "/spec/list/1"),
						patchMove("/spec/7", "/spec/7"),
						patchMove("/spec/obj", "/spec/obj"),
						patchMove("/spec/c", "/spec/b"),
						patchCopy("/spec/obj", "/spec/obj"),
						patchAdd("/spec/a", "replaced by add"),
						patchMove("/spec/list/0", "/spec/list/2"),
					}}),
					object("index-keys", objectSpec{apiVersion: "v1", kind: "ConfigMap", patches: []patchSpec{
						patchAdd("/10", "ten"),
						patchAdd("/2", "two"),
						patchAdd("/01", "not an index"),
						patchAdd("/data", map[string]any{"k": "v"}),
						patchMove("/data", "/data"),
					}}),
					object("moved-metadata", objectSpec{apiVersion: "v1", kind: "ConfigMap", name: "moved-metadata", labels: map[string]string{"a": "b"}, patches: []patchSpec{
						patchMove("/metadata/labels", "/metadata/labels"),
						patchMove("/apiVersion", "/apiVersion"),
					}}),
				),
			},
		},
		{
			// In a folder per chart, cdk8s names each file after the object
			// as constructed, before its patches (in a file per resource,
			// after them); tsumiki always names it after what it holds.
			name:   "folder-per-chart-patched-names",
			layout: folderPerChartFilePerResource,
			nodes: []nodeSpec{
				chart("renames", chartSpec{namespace: "renames"},
					object("renamed", objectSpec{apiVersion: "v1", kind: "ConfigMap", name: "before", patches: []patchSpec{
						patchReplace("/metadata/name", "after"),
					}}),
					object("generated", objectSpec{apiVersion: "v1", kind: "ConfigMap", patches: []patchSpec{
						patchReplace("/metadata/name", "was-generated"),
					}}),
					object("kept", objectSpec{apiVersion: "v1", kind: "ConfigMap", name: "kept"}),
				),
			},
		},
		{
			// Changing the labels map after the chart is made changes
			// nothing: cdk8s-core-go hands cdk8s a copy of it, tsumiki's
			// NewChart copies it.
			name:   "chart-labels-changed-later",
			layout: filePerChart,
			nodes: []nodeSpec{
				chart("labelled", chartSpec{labels: map[string]string{"team": "a"}, labelsLater: map[string]string{"team": "b", "added": "later"}},
					cm("first"),
					object("own", objectSpec{apiVersion: "v1", kind: "ConfigMap", labels: map[string]string{}}),
				),
			},
		},

		{
			// Documents no Go type holds: a null name (cdk8s writes no name),
			// an empty one (cdk8s writes it empty), none, and a kind the
			// scheme does not know, with keys JavaScript orders first.
			name:   "include-raw-documents",
			layout: filePerChart,
			nodes: []nodeSpec{
				chart("raw", chartSpec{namespace: "raw", labels: map[string]string{"from": "file"}},
					include("Docs_Dir",
						rawItem(`{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":null,"labels":{"own":"x"}},"data":{"a":"1"}}`),
						rawItem(`{"apiVersion":"v1","kind":"ServiceAccount","metadata":{"name":""}}`),
						rawItem(`{"apiVersion":"v1","kind":"ConfigMap","data":{"c":"3"}}`),
						rawItem(`{"apiVersion":"v1","kind":"Service","metadata":{"name":null,"namespace":"svc"},"spec":{"ports":[{"port":80}]}}`),
						rawItem(`{"apiVersion":"example.com/v1","kind":"Widget","metadata":{"name":"w","namespace":"elsewhere"},"spec":{"b":{"z":1,"a":2},"10":"ten","2":"two","list":[3,1,2]}}`,
							patchAdd("/spec/added", true)),
						rawItem(`{"apiVersion":"example.com/v1","kind":"ClusterWidget","metadata":{"name":"cw"},"spec":{}}`),
					),
				),
			},
		},

		{
			// Patches on lists: appending to an empty one, removing the
			// last item, moving between lists, copying an item, tests of
			// objects in another key order and of 1 against 1.0, and empty
			// maps a patch adds to metadata, which stay (only the metadata
			// as constructed is pruned).
			name:   "patch-lists",
			layout: filePerChart,
			nodes: []nodeSpec{
				chart("lists", chartSpec{labels: map[string]string{}},
					object("holder", objectSpec{apiVersion: "example.com/v1", kind: "Holder", labels: map[string]string{}, patches: []patchSpec{
						patchAdd("/spec", map[string]any{"empty": []any{}, "a": []any{1, 2, 3}, "b": []any{"x"}, "obj": map[string]any{"k": 1, "j": []any{true}}}),
						patchAdd("/spec/empty/-", "first"),
						patchRemove("/spec/a/2"),
						patchMove("/spec/a/0", "/spec/b/1"),
						patchCopy("/spec/b/0", "/spec/b/-"),
						patchTest("/spec/obj", map[string]any{"j": []any{true}, "k": 1.0}),
						patchReplace("/spec/a", []any{}),
						patchAdd("/metadata/labels", map[string]any{}),
						patchAdd("/metadata/annotations", map[string]any{}),
					}}),
				),
			},
		},
		{
			// The ids cdk8s's Include gives: names with dots, names that
			// repeat in other namespaces or kinds, a kind in capitals, a
			// name with "/" (which an id reads as "--").
			name:   "include-ids",
			layout: filePerApp,
			nodes: []nodeSpec{
				chart("ids", chartSpec{namespace: "ids"},
					include("Vendor.Manifests",
						rawItem(`{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"web.example.com"}}`),
						rawItem(`{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"web.example.com","namespace":"other"}}`),
						rawItem(`{"apiVersion":"v1","kind":"Secret","metadata":{"name":"web.example.com"},"type":"Opaque"}`),
						rawItem(`{"apiVersion":"example.com/v1","kind":"WIDGET","metadata":{"name":"w"}}`),
						rawItem(`{"apiVersion":"v1","kind":"ServiceAccount","metadata":{"namespace":"other"}}`),
					),
				),
			},
		},

		// Errors. cdk8s throws; tsumiki reports them from Synth.
		{
			name:    "dependency-cycle",
			nodes:   []nodeSpec{chart("c", chartSpec{}, cm("a"), cm("b"), cm("c"))},
			deps:    []depSpec{{"c/a", "c/b"}, {"c/b", "c/c"}, {"c/c", "c/a"}},
			wantErr: constructs.ErrDependencyCycle,
		},
		{
			name: "chart-dependency-cycle",
			nodes: []nodeSpec{
				chart("x", chartSpec{}, cm("o")),
				chart("y", chartSpec{}, cm("o")),
			},
			deps:    []depSpec{{"x/o", "y/o"}, {"y", "x"}},
			wantErr: constructs.ErrDependencyCycle,
		},
		{
			// cdk8s's cycle check misses a construct that depends on itself:
			// the object then has a dependant (itself), so no walk starts
			// from it, and cdk8s silently leaves it out of the output.
			name:    "self-dependency",
			nodes:   []nodeSpec{chart("c", chartSpec{}, cm("a"), cm("b"))},
			deps:    []depSpec{{"c/a", "c/a"}},
			wantErr: constructs.ErrDependencyCycle,
			cdk8sAccepts: func(t *testing.T, files map[string][]byte) {
				want := "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c-b-c8a096bc\n"
				if got := string(files["c.k8s.yaml"]); got != want {
					t.Errorf("cdk8s wrote c.k8s.yaml = %q; the case expects only c/b, c/a dropped: %q", got, want)
				}
			},
		},
		{
			name: "nested-chart-cycle",
			nodes: []nodeSpec{
				chart("parent", chartSpec{}, cm("a"), chart("child", chartSpec{}, cm("b"))),
			},
			deps:    []depSpec{{"parent/child", "parent"}},
			wantErr: constructs.ErrDependencyCycle,
		},
		{
			name:    "patch-test-fails",
			nodes:   []nodeSpec{chart("c", chartSpec{}, include("i", item(configMap("x", "", map[string]string{"a": "1"}), patchTest("/data/a", "2"))))},
			wantErr: constructs.ErrPatch,
		},
		{
			name:    "duplicate-id",
			nodes:   []nodeSpec{chart("c", chartSpec{}, cm("same"), cm("same"))},
			wantErr: constructs.ErrDuplicateID,
		},
		{
			name:    "object-outside-chart",
			nodes:   []nodeSpec{group("g", cm("stray"))},
			wantErr: constructs.ErrInvalidObject,
		},
		{
			name:    "dependency-outside-chart",
			nodes:   []nodeSpec{chart("c", chartSpec{}, cm("a")), group("g", chart("inner", chartSpec{}, cm("b")))},
			deps:    []depSpec{{"c", "g"}},
			wantErr: constructs.ErrInvalidDependency,
		},

		// Apps cdk8s synthesizes but tsumiki rejects, because the output
		// would be wrong in the cluster.
		{
			// Two charts define the same object; applying both files would
			// silently keep only one.
			name: "duplicate-object",
			nodes: []nodeSpec{
				chart("a", chartSpec{namespace: "shared"}, object("cfg", objectSpec{apiVersion: "v1", kind: "ConfigMap", name: "same"})),
				chart("b", chartSpec{namespace: "shared"}, object("cfg", objectSpec{apiVersion: "v1", kind: "ConfigMap", name: "same"})),
			},
			wantErr:      constructs.ErrDuplicateObject,
			cdk8sAccepts: cdk8sWrites(map[string]string{"a.k8s.yaml": "  name: same\n", "b.k8s.yaml": "  name: same\n"}),
		},
		{
			// The API server rejects the name.
			name:         "invalid-explicit-name",
			nodes:        []nodeSpec{chart("c", chartSpec{}, object("cfg", objectSpec{apiVersion: "v1", kind: "ConfigMap", name: "Web_Config"}))},
			wantErr:      constructs.ErrInvalidName,
			cdk8sAccepts: cdk8sWrites(map[string]string{"c.k8s.yaml": "  name: Web_Config\n"}),
		},
		{
			// A GitOps repository must not hold secrets in plain text.
			name: "plain-secret",
			nodes: []nodeSpec{chart("c", chartSpec{},
				include("i", item(&corev1.Secret{ObjectMeta: metav1.ObjectMeta{Name: "db"}, StringData: map[string]string{"password": "hunter2"}})))},
			wantErr:      constructs.ErrPlainSecret,
			cdk8sAccepts: cdk8sWrites(map[string]string{"c.k8s.yaml": "  password: hunter2\n"}),
		},
		{
			// A custom resource its CustomResourceDefinition does not allow:
			// cdk8s cannot tell, the API server would reject it.
			name: "custom-resource-against-its-crd",
			nodes: []nodeSpec{chart("tls", chartSpec{namespace: "shop"},
				include("crds", rawItem(`{"apiVersion":"apiextensions.k8s.io/v1","kind":"CustomResourceDefinition","metadata":{"name":"certificates.cert-manager.io"},`+
					`"spec":{"group":"cert-manager.io","names":{"kind":"Certificate","plural":"certificates"},"scope":"Namespaced","versions":[{"name":"v1","served":true,"storage":true,`+
					`"schema":{"openAPIV3Schema":{"type":"object","properties":{"spec":{"type":"object","properties":{"secretName":{"type":"string"}}}}}}}]}}`)),
				object("cert", objectSpec{apiVersion: "cert-manager.io/v1", kind: "Certificate", patches: []patchSpec{
					patchAdd("/spec", map[string]any{"secretNmae": "web-tls"}),
				}}),
			)},
			wantErr:      constructs.ErrSchema,
			cdk8sAccepts: cdk8sWrites(map[string]string{"tls.k8s.yaml": "  secretNmae: web-tls\n"}),
		},
		{
			// fast-json-patch, which cdk8s uses without validation, ignores
			// the removal of a missing member; RFC 6902 makes it an error.
			name: "patch-remove-missing",
			nodes: []nodeSpec{chart("c", chartSpec{},
				include("i", item(configMap("x", "", map[string]string{"a": "1"}), patchRemove("/data/missing"))))},
			wantErr:      constructs.ErrPatch,
			cdk8sAccepts: cdk8sWrites(map[string]string{"c.k8s.yaml": "data:\n  a: \"1\"\n"}),
		},
	}
}

// cdk8sWrites checks that each named file cdk8s wrote contains the text
// given for it.
func cdk8sWrites(want map[string]string) func(t *testing.T, files map[string][]byte) {
	return func(t *testing.T, files map[string][]byte) {
		for name, text := range want {
			if !strings.Contains(string(files[name]), text) {
				t.Errorf("cdk8s wrote %s = %q; the case expects it to contain %q", name, files[name], text)
			}
		}
	}
}

// tenth is a variable so that tenth+2*tenth is computed in float64
// (0.30000000000000004), not exactly by the compiler.
var tenth = 0.1

// trickyStrings are ConfigMap values that YAML 1.1 would read as something
// other than the string, or that need quoting, escaping or a block form.
func trickyStrings() map[string]string {
	return map[string]string{
		"bool-yes": "yes", "bool-no": "no", "bool-on": "on", "bool-off": "off",
		"bool-y": "y", "bool-N": "N", "bool-True": "True", "bool-FALSE": "FALSE",
		"null": "null", "tilde": "~", "empty": "",
		"octal": "0777", "hex": "0x1F", "binary": "0b1010", "octal-8": "08", "neg-octal": "-012",
		"exp": "1e3", "float": "1.5", "dot-inf": ".inf", "neg-nan": "-.NaN", "underscore-int": "1_000",
		"sexagesimal": "12:30:45", "date": "2001-12-14", "timestamp": "2001-12-14t21:59:43.10-05:00",
		"plus": "+1", "minus-dot": "-.5", "int": "42", "neg": "-7",
		"leading-space": "  indented", "trailing-space": "trailing  ", "only-spaces": "   ",
		"multi-line": "line one\nline two\n", "multi-line-no-eol": "line one\nline two",
		"multi-line-indented": "  first line indented\nsecond\n", "multi-line-trailing-blank": "a\nb\n\n",
		"crlf": "a\r\nb", "tab": "a\tb", "leading-tab": "\tx",
		"comment": "# not a comment", "inline-comment": "a #b", "colon-space": "key: value", "colon-end": "key:",
		"dash": "- item", "question": "? x", "anchor": "&anchor", "alias": "*alias", "tag": "!tag",
		"percent": "%directive", "at": "@at", "backtick": "`tick", "pipe": "| x", "gt": "> x",
		"braces": "{a: 1}", "brackets": "[1, 2]", "single-quote": "it's", "double-quote": `say "hi"`,
		"backslash": `C:\path`, "doc-start": "---", "doc-end": "...", "equals": "=", "merge": "<<",
		"unicode": "日本語 ✓ café", "emoji": "😀",
		"nul": "a\x00b", "bell": "a\x07b", "escape": "\x1b[0m",
		"just-newline": "\n", "two-newlines": "\n\n", "space-newline": " \n", "trailing-space-lines": "a \nb\n",
		"leading-newline": "\nabc", "tab-in-block": "a\n\tb\n", "spaces-only-line": "a\n  \nb\n",
		"long":       strings.Repeat("long line without breaks ", 40),
		"long-words": strings.Repeat("x", 300),
		"json":       `{"a": [1, 2, {"b": null}]}`,
	}
}

// unusualStrings are ConfigMap values with characters outside printable
// ASCII, which YAML writes escaped or as they are depending on the
// character, and number forms that only YAML 1.2 (or no YAML) reads as
// numbers, which cdk8s's YAML 1.1 writer leaves unquoted.
func unusualStrings() map[string]string {
	return map[string]string{
		"nbsp":        "a\u00a0b",
		"zero-width":  "a\u200bb",
		"private-use": "\ue000",
		"emoji":       "a😀b",
	}
}

// goMisreadStrings are strings whose cdk8s form Go's YAML parser misreads,
// by the ConfigMap name that holds each. (U+FEFF, which tsumiki also always
// escapes, is left out: Go misreads it only in some positions of a stream;
// internal/document's reference test covers it.)
func goMisreadStrings() map[string]string {
	return map[string]string{
		"del": "a\x7fb", "nel": "a\u0085b", "c1": "a\u0090b",
		"line-sep": "a\u2028b", "para-sep": "a\u2029b", "line-sep-block": "a\u2028b\n",
		"non-char": "\uffff", "octal-o": "0o17", "octal-upper-o": "0O17", "hex-upper-x": "0X1F",
		"binary-upper-b": "0B101", "underscore-exponent": "1e_3",
	}
}

func misreadItems() []includedSpec {
	var items []includedSpec
	for _, name := range slices.Sorted(maps.Keys(goMisreadStrings())) {
		items = append(items, item(configMap(name, "", map[string]string{"v": goMisreadStrings()[name]})))
	}
	return items
}

// trickyKeys are ConfigMap keys with the same traps as trickyStrings, and
// array-index keys, which JavaScript orders first.
func trickyKeys() map[string]string {
	return map[string]string{
		"yes": "1", "on": "2", "null": "3", "~": "4", "0777": "5", "1e3": "6",
		"10": "7", "2": "8", "007": "9", "4294967294": "10", "4294967295": "11",
		"key with spaces": "12", "key:colon": "13", "-dash": "14", "日本": "15", "": "16",
		"B-upper": "17", "a-lower": "18", "_under": "19", ".dot": "20",
		// JavaScript sorts by UTF-16 code units: the emoji's surrogates
		// come before U+E000 and U+FF5A, unlike in UTF-8.
		"😀": "21", "\ue000": "22", "\uff5a": "23",
		"multi\nline key":         "24",
		strings.Repeat("k", 1100): "25 (a key too long for an implicit key)",
	}
}

func ptr[T any](v T) *T { return &v }

func configMap(name, namespace string, data map[string]string) *corev1.ConfigMap {
	return &corev1.ConfigMap{ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: namespace}, Data: data}
}

func deployment(name, app string, replicas int32) *appsv1.Deployment {
	labels := map[string]string{"app": app}
	return &appsv1.Deployment{
		ObjectMeta: metav1.ObjectMeta{Name: name},
		Spec: appsv1.DeploymentSpec{
			Replicas: ptr(replicas),
			Selector: &metav1.LabelSelector{MatchLabels: labels},
			Template: corev1.PodTemplateSpec{
				ObjectMeta: metav1.ObjectMeta{Labels: labels},
				Spec: corev1.PodSpec{
					Containers: []corev1.Container{{
						Name:  app,
						Image: "nginx:1.27",
						Args:  []string{"--port", "8080"},
						Env:   []corev1.EnvVar{{Name: "MODE", Value: "on"}, {Name: "LEVEL", Value: "0777"}},
						Ports: []corev1.ContainerPort{{ContainerPort: 8080, Name: "http"}},
						Resources: corev1.ResourceRequirements{
							Requests: corev1.ResourceList{corev1.ResourceCPU: resource.MustParse("100m")},
						},
					}},
				},
			},
		},
	}
}

func service(name, app string) *corev1.Service {
	return &corev1.Service{
		ObjectMeta: metav1.ObjectMeta{Name: name},
		Spec: corev1.ServiceSpec{
			Selector: map[string]string{"app": app},
			Ports:    []corev1.ServicePort{{Port: 80, TargetPort: intstr.FromString("http")}},
		},
	}
}

func cronJob(name, schedule string) *batchv1.CronJob {
	return &batchv1.CronJob{
		ObjectMeta: metav1.ObjectMeta{Name: name},
		Spec: batchv1.CronJobSpec{
			Schedule: schedule,
			JobTemplate: batchv1.JobTemplateSpec{Spec: batchv1.JobSpec{Template: corev1.PodTemplateSpec{Spec: corev1.PodSpec{
				RestartPolicy: corev1.RestartPolicyOnFailure,
				Containers:    []corev1.Container{{Name: "job", Image: "busybox", Command: []string{"sh", "-c", "echo hi"}}},
			}}}},
		},
	}
}

func namespace(name string) *corev1.Namespace {
	return &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: name}}
}

func clusterRole(name string) *rbacv1.ClusterRole {
	return &rbacv1.ClusterRole{
		ObjectMeta: metav1.ObjectMeta{Name: name},
		Rules:      []rbacv1.PolicyRule{{APIGroups: []string{""}, Resources: []string{"pods"}, Verbs: []string{"get", "list"}}},
	}
}

func persistentVolume(name string) *corev1.PersistentVolume {
	return &corev1.PersistentVolume{
		ObjectMeta: metav1.ObjectMeta{Name: name},
		Spec: corev1.PersistentVolumeSpec{
			Capacity:               corev1.ResourceList{corev1.ResourceStorage: resource.MustParse("10Gi")},
			AccessModes:            []corev1.PersistentVolumeAccessMode{corev1.ReadWriteOnce},
			PersistentVolumeSource: corev1.PersistentVolumeSource{HostPath: &corev1.HostPathVolumeSource{Path: "/data"}},
		},
	}
}

package cdk8scompat

import (
	"fmt"
	"maps"
	"testing"

	"gitlab.com/tsumiki/tsumiki/constructs"
)

// buildTsumiki builds c with tsumiki's constructs package, writing to
// outdir. It mirrors buildCDK8s construct for construct; both include the
// same files.
func buildTsumiki(t *testing.T, c caseSpec, outdir string) *constructs.App {
	t.Helper()
	app := constructs.NewApp(constructs.AppProps{
		Outdir:        outdir,
		FileExtension: c.ext,
		AllowSecrets:  c.allowSecrets,
		OutputType: map[layout]constructs.OutputType{
			filePerChart:                  constructs.FilePerChart,
			filePerApp:                    constructs.FilePerApp,
			filePerResource:               constructs.FilePerResource,
			folderPerChartFilePerResource: constructs.FolderPerChartFilePerResource,
		}[c.layout],
	})
	byPath := map[string]constructs.Construct{}
	var build func(scope constructs.Construct, prefix string, specs []nodeSpec)
	build = func(scope constructs.Construct, prefix string, specs []nodeSpec) {
		for _, n := range specs {
			path := joinPath(prefix, n.id)
			var c constructs.Construct
			switch n.kind {
			case groupNode:
				c = constructs.NewNode(scope, n.id)
			case chartNode:
				labels := maps.Clone(n.chart.labels)
				c = constructs.NewChart(scope, n.id, constructs.ChartProps{
					Namespace:                 n.chart.namespace,
					Labels:                    labels,
					DisableResourceNameHashes: n.chart.noHashes,
				})
				maps.Copy(labels, n.chart.labelsLater)
			case objectNode:
				obj := constructs.NewUnstructured(scope, n.id, unstructuredContent(n.object))
				obj.AddJSONPatch(tsumikiPatches(n.object.patches)...)
				c = obj
			case includeNode:
				inc := constructs.NewInclude(scope, n.id, constructs.IncludeProps{Path: n.id + ".json", Data: includeData(t, n)})
				objs := inc.APIObjects()
				if len(objs) != len(n.included) {
					t.Fatalf("corpus: tsumiki's Include made %d objects of %d documents under %s", len(objs), len(n.included), path)
				}
				unnamed := 0
				for i, it := range n.included {
					if id, want := objs[i].Node().ID(), includedID(it.head(), &unnamed); id != want {
						t.Fatalf("corpus: tsumiki's Include gave document %d of %s the id %q; cdk8s's is %q", i, path, id, want)
					}
					objs[i].AddJSONPatch(tsumikiPatches(it.patches)...)
					byPath[path+"/"+objs[i].Node().ID()] = objs[i]
				}
				c = inc
			}
			byPath[path] = c
			build(c, path, n.children)
		}
	}
	build(app, "", c.nodes)
	for _, d := range c.deps {
		from, ok1 := byPath[d.from]
		to, ok2 := byPath[d.to]
		if !ok1 || !ok2 {
			t.Fatalf("corpus: dependency %q -> %q names a missing construct", d.from, d.to)
		}
		from.Node().AddDependency(to)
	}
	return app
}

// unstructuredContent is the content of a metadata-only object, holding
// exactly what cdk8s's ApiObjectProps carry.
func unstructuredContent(o objectSpec) map[string]any {
	md := map[string]any{}
	if o.name != "" {
		md["name"] = o.name
	}
	if o.namespace != "" {
		md["namespace"] = o.namespace
	}
	if o.labels != nil {
		labels := map[string]any{}
		for k, v := range o.labels {
			labels[k] = v
		}
		md["labels"] = labels
	}
	return map[string]any{"apiVersion": o.apiVersion, "kind": o.kind, "metadata": md}
}

func tsumikiPatches(ps []patchSpec) []constructs.JSONPatch {
	var out []constructs.JSONPatch
	for _, p := range ps {
		switch p.op {
		case "add":
			out = append(out, constructs.PatchAdd(p.path, p.value))
		case "replace":
			out = append(out, constructs.PatchReplace(p.path, p.value))
		case "remove":
			out = append(out, constructs.PatchRemove(p.path))
		case "move":
			out = append(out, constructs.PatchMove(p.from, p.path))
		case "copy":
			out = append(out, constructs.PatchCopy(p.from, p.path))
		case "test":
			out = append(out, constructs.PatchTest(p.path, p.value))
		default:
			panic(fmt.Sprintf("unknown patch op %q", p.op))
		}
	}
	return out
}

package constructs

import "fmt"

// layout arranges the rendered objects into files the way cdk8s's
// App.synth does for each output type. The one change: a file per resource
// carries the object's namespace, because cdk8s silently overwrites
// same-named objects from different namespaces. Two objects that would still
// share a file are an error.
func (s *synthesis) layout(p AppProps) (*Output, error) {
	total := 0
	for _, c := range s.charts {
		total += len(c.objects)
	}
	out := &Output{Documents: make([]Document, 0, total)}
	owners := map[string]*renderedObject{}
	var ps problems
	addFile := func(name string, objs []*renderedObject) {
		if first, ok := owners[name]; ok && len(objs) > 0 {
			ps.add(objs[0].obj.node, fmt.Errorf("%w: %s is also written by %s", ErrFileConflict, name, first.obj.node.Path()))
			return
		}
		if len(objs) > 0 {
			owners[name] = objs[0]
		}
		docs := make([][]byte, len(objs))
		for i, o := range objs {
			docs[i] = o.yaml
		}
		out.Files = append(out.Files, File{Name: name, Data: joinDocuments(docs), Objects: len(objs)})
		for _, o := range objs {
			out.Documents = append(out.Documents, Document{
				GroupVersionKind: o.gvk, Namespace: o.namespace, Name: o.name, File: name, YAML: o.yaml, node: o.obj.node,
			})
		}
	}
	ext := p.FileExtension

	switch p.OutputType {
	case FilePerChart:
		for i, c := range s.charts {
			addFile(s.chartName(c, i)+ext, c.objects)
		}
	case FilePerApp:
		if len(s.charts) > 0 {
			var all []*renderedObject
			for _, c := range s.charts {
				all = append(all, c.objects...)
			}
			addFile("app"+ext, all)
		}
	case FilePerResource:
		for _, c := range s.charts {
			for _, o := range c.objects {
				addFile(resourceFileName(o)+ext, []*renderedObject{o})
			}
		}
	case FolderPerChartFilePerResource:
		for i, c := range s.charts {
			dir := s.chartName(c, i)
			for _, o := range c.objects {
				addFile(dir+"/"+resourceFileName(o)+ext, []*renderedObject{o})
			}
		}
	default:
		return nil, fmt.Errorf("unknown output type %d", p.OutputType)
	}
	if err := ps.err(); err != nil {
		return nil, err
	}
	return out, nil
}

// chartName is the chart's file (or folder) name without extension:
// cdk8s's Names.toDnsLabel of the chart, prefixed with its position when
// charts depend on each other.
func (s *synthesis) chartName(c *renderedChart, i int) string {
	name, _ := cdk8sDNSLabel(c.chart.node, NameOptions{}) // cannot fail: the hash is always there
	if s.dependant {
		return fmt.Sprintf("%04d-%s", i, name)
	}
	return name
}

// resourceFileName is `<Kind>.<name>`, or `<Kind>.<namespace>.<name>`, with
// the characters cdk8s drops from file names dropped.
func resourceFileName(o *renderedObject) string {
	name := o.gvk.Kind + "." + o.name
	if o.namespace != "" {
		name = o.gvk.Kind + "." + o.namespace + "." + o.name
	}
	return keepNameChars(name)
}

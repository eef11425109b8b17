package document

import (
	"encoding/json"
	"testing"

	appsv1 "k8s.io/api/apps/v1"
)

// benchDeployment returns the corpus Deployment as a typed object and as
// the JSON encoding/json writes for it.
func benchDeployment(b *testing.B) (*appsv1.Deployment, []byte) {
	var d appsv1.Deployment
	if err := json.Unmarshal([]byte(deploymentJSON), &d); err != nil {
		b.Fatal(err)
	}
	data, err := json.Marshal(&d)
	if err != nil {
		b.Fatal(err)
	}
	return &d, data
}

func BenchmarkParse(b *testing.B) {
	_, data := benchDeployment(b)
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Parse(data); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkAppendYAML(b *testing.B) {
	_, data := benchDeployment(b)
	v, err := Parse(data)
	if err != nil {
		b.Fatal(err)
	}
	v.Sanitize(SanitizeOptions{})
	var buf []byte
	b.ReportAllocs()
	for b.Loop() {
		buf = AppendYAML(buf[:0], v)
	}
	b.SetBytes(int64(len(buf)))
}

// BenchmarkSynthesize is the work of writing one object: Parse, Sanitize
// and AppendYAML of the JSON of a Deployment. Compare it with
// BenchmarkMarshalDeployment, which only makes that JSON.
func BenchmarkSynthesize(b *testing.B) {
	_, data := benchDeployment(b)
	var buf []byte
	b.ReportAllocs()
	for b.Loop() {
		v, err := Parse(data)
		if err != nil {
			b.Fatal(err)
		}
		v.Sanitize(SanitizeOptions{FilterEmpty: true})
		buf = AppendYAML(buf[:0], v)
	}
}

func BenchmarkMarshalDeployment(b *testing.B) {
	d, _ := benchDeployment(b)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := json.Marshal(d); err != nil {
			b.Fatal(err)
		}
	}
}

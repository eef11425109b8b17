package document
import ("testing";"encoding/json";"unicode/utf8")
func BenchmarkZCount(b *testing.B) {
	_, data := benchDeployment(b)
	s := string(data)
	for b.Loop() {
		var counts [64]int32
		p := parser{s: s, counts: counts[:0]}
		p.count()
	}
}
func BenchmarkZValid(b *testing.B) {
	_, data := benchDeployment(b)
	for b.Loop() { utf8.Valid(data) }
}
func BenchmarkZStringCopy(b *testing.B) {
	_, data := benchDeployment(b)
	for b.Loop() { _ = string(data) }
}
func BenchmarkZUnmarshalAny(b *testing.B) {
	_, data := benchDeployment(b)
	for b.Loop() { var v any; json.Unmarshal(data, &v) }
}
func BenchmarkZSanitizeSorted(b *testing.B) {
	_, data := benchDeployment(b)
	v, _ := Parse(data)
	for b.Loop() { v.Sanitize(SanitizeOptions{}) }
}
func BenchmarkZAlloc(b *testing.B) {
	for b.Loop() { _ = make([]Member, 130); _ = make([]Value, 18) }
}

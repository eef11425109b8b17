package v1alpha1

import (
	"bytes"
	"encoding/json"
)

// JSON is a free-form JSON value, for the fields Argo CD passes on without a
// schema: Helm's valuesObject and a list generator's elements. Value is
// anything encoding/json marshals: a map, a struct, a slice.
//
// +k8s:deepcopy-gen=false
type JSON struct {
	// Value is marshalled as it is at synthesis.
	Value any
}

// MarshalJSON marshals Value.
func (j JSON) MarshalJSON() ([]byte, error) { return json.Marshal(j.Value) }

// UnmarshalJSON reads any JSON value into Value, numbers as json.Number so
// that none loses precision.
func (j *JSON) UnmarshalJSON(data []byte) error {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return err
	}
	j.Value = v
	return nil
}

// DeepCopyInto copies the value through its JSON encoding, so that the copy
// shares nothing with j. A value that does not marshal is copied as it is;
// synthesis reports it.
func (j *JSON) DeepCopyInto(out *JSON) {
	data, err := json.Marshal(j.Value)
	if err != nil {
		out.Value = j.Value
		return
	}
	if err := out.UnmarshalJSON(data); err != nil { // unreachable: json.Marshal wrote it
		out.Value = j.Value
	}
}

// DeepCopy returns a copy of j that shares nothing with it.
func (j *JSON) DeepCopy() *JSON {
	if j == nil {
		return nil
	}
	out := new(JSON)
	j.DeepCopyInto(out)
	return out
}

package helm

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strconv"
)

// goValues turns Props.Values into the nested map[string]any that Helm
// coalesces: a struct through its JSON tags, maps of any value type into
// map[string]any (Helm only merges those), and numbers into int64 when
// they are integers, float64 otherwise. Going through YAML or plain JSON
// would make every number a float64, which templates print as 1e+06.
func goValues(v any) (map[string]any, error) {
	if v == nil {
		return map[string]any{}, nil
	}
	data, err := json.Marshal(v)
	if err != nil {
		return nil, err
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	var out any
	if err := dec.Decode(&out); err != nil {
		return nil, err
	}
	m, ok := out.(map[string]any)
	if !ok {
		if out == nil {
			return map[string]any{}, nil
		}
		return nil, fmt.Errorf("want a map or a struct, got %T", v)
	}
	return numbers(m).(map[string]any), nil
}

// numbers replaces every json.Number in v by an int64 or a float64.
func numbers(v any) any {
	switch v := v.(type) {
	case map[string]any:
		for k, e := range v {
			v[k] = numbers(e)
		}
	case []any:
		for i, e := range v {
			v[i] = numbers(e)
		}
	case json.Number:
		if i, err := strconv.ParseInt(string(v), 10, 64); err == nil {
			return i
		}
		if u, err := strconv.ParseUint(string(v), 10, 64); err == nil {
			return u
		}
		f, _ := v.Float64()
		return f
	}
	return v
}

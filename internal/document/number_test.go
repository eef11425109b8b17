package document

import (
	"encoding/json"
	"math"
	"math/rand/v2"
	"strconv"
	"testing"
)

func TestAppendNumber(t *testing.T) {
	for num, want := range map[string]string{
		"0": "0", "-0": "0", "-0.0": "0", "0e10": "0", "7": "7", "-7": "-7", "1.0": "1", "1.50": "1.5",
		"1e3": "1000", "1E3": "1000", "1e+3": "1000", "12.5e-1": "1.25", "1e21": "1e+21", "1E+21": "1e+21",
		"1e20": "100000000000000000000", "123456789012345678": "123456789012345680",
		"999999999999999": "999999999999999", "9999999999999999": "10000000000000000",
		"-123456789012345678901": "-123456789012345680000", "1.5e21": "1.5e+21",
		"0.000001": "0.000001", "0.0000001": "1e-7", "1.5e-7": "1.5e-7", "-0.00000123": "-0.00000123",
		"5e-324": "5e-324", "1.7976931348623157e308": "1.7976931348623157e+308", "1e400": ".inf", "-1e400": "-.inf",
		"1e-400": "0", "0.1": "0.1", "0.30000000000000004": "0.30000000000000004", "123e-20": "1.23e-18",
	} {
		if got := string(appendNumber(nil, num)); got != want {
			t.Errorf("appendNumber(%s) = %s, want %s", num, got, want)
		}
	}
}

// numberScript writes each number text as yaml@2.5.0 writes the number.
const numberScript = `
const YAML = require(pkg + '/node_modules/yaml');
run(nums => nums.map(n => YAML.stringify(Number(n), { version: '1.1' }).trimEnd()));
`

// TestNumberReference compares appendNumber with JavaScript on numbers of
// random magnitude and precision, written as encoding/json writes them and
// in other shapes.
func TestNumberReference(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	var nums []string
	for range 20000 {
		var f float64
		switch r.IntN(4) {
		case 0:
			f = math.Float64frombits(r.Uint64())
		case 1:
			f = float64(r.Int64N(1<<62)) * math.Pow10(r.IntN(60)-30)
		case 2:
			f = math.Round(r.NormFloat64()*1e6) / 1e3
		default:
			f = float64(r.Int64() >> r.IntN(64))
		}
		if math.IsNaN(f) || math.IsInf(f, 0) {
			continue
		}
		js, err := json.Marshal(f)
		if err != nil {
			t.Fatal(err)
		}
		n := int64(r.Uint64()) >> r.IntN(64)
		nums = append(nums, string(js), strconv.FormatFloat(f, 'g', -1, 64), strconv.FormatFloat(f, 'e', 20, 64),
			strconv.FormatInt(n, 10), strconv.FormatUint(r.Uint64()>>r.IntN(64), 10))
	}
	var ref []string
	runNode(t, numberScript, nums, &ref)
	for i, n := range nums {
		if got := string(appendNumber(nil, n)); got != ref[i] {
			t.Errorf("appendNumber(%s) = %s, want %s", n, got, ref[i])
		}
	}
}

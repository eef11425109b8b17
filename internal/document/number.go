package document

import (
	"math"
	"strconv"
)

// appendNumber appends the JSON number text num as yaml@2.5.0 writes the
// JavaScript number it parses to: JSON.stringify of the double, or
// .inf/-.inf where the text overflows a double.
func appendNumber(dst []byte, num string) []byte {
	// Integers of up to 15 digits are exact doubles and print as written,
	// except that -0 prints as 0.
	if isShortInt(num) {
		if num == "-0" {
			return append(dst, '0')
		}
		return append(dst, num...)
	}
	f, err := strconv.ParseFloat(num, 64)
	if err != nil && !math.IsInf(f, 0) {
		// Not a number text at all: only hand-built values get here.
		return append(dst, num...)
	}
	return appendJSNumber(dst, f)
}

// isShortInt reports whether num is a JSON integer of at most 15 digits.
func isShortInt(num string) bool {
	i := 0
	if len(num) > 0 && num[0] == '-' {
		i = 1
	}
	n := len(num) - i
	if n == 0 || n > 15 || (num[i] == '0' && n > 1) {
		return false
	}
	for ; i < len(num); i++ {
		if num[i] < '0' || num[i] > '9' {
			return false
		}
	}
	return true
}

// appendJSNumber appends f formatted as JavaScript's Number.prototype.toString
// does, which is also how JSON.stringify writes finite numbers.
func appendJSNumber(dst []byte, f float64) []byte {
	switch {
	case math.IsInf(f, 1):
		return append(dst, ".inf"...)
	case math.IsInf(f, -1):
		return append(dst, "-.inf"...)
	case f == 0:
		return append(dst, '0')
	case f < 0:
		dst = append(dst, '-')
		f = -f
	}
	// Both Go and JavaScript print the shortest digit string that reads
	// back as f; only the layout differs.
	var buf, digits [32]byte
	e := strconv.AppendFloat(buf[:0], f, 'e', -1, 64) // d.ddde±dd
	mant := append(digits[:0], e[0])
	i := 1
	if e[1] == '.' {
		for i = 2; e[i] != 'e'; i++ {
			mant = append(mant, e[i])
		}
	}
	exp := 0
	for _, c := range e[i+2:] {
		exp = exp*10 + int(c-'0')
	}
	if e[i+1] == '-' {
		exp = -exp
	}
	k := len(mant) // number of significant digits
	n := exp + 1   // position of the decimal point relative to the digits
	switch {
	case k <= n && n <= 21:
		dst = append(dst, mant...)
		for range n - k {
			dst = append(dst, '0')
		}
	case 0 < n && n <= 21:
		dst = append(dst, mant[:n]...)
		dst = append(dst, '.')
		dst = append(dst, mant[n:]...)
	case -6 < n && n <= 0:
		dst = append(dst, '0', '.')
		for range -n {
			dst = append(dst, '0')
		}
		dst = append(dst, mant...)
	default:
		dst = append(dst, mant[0])
		if k > 1 {
			dst = append(dst, '.')
			dst = append(dst, mant[1:]...)
		}
		dst = append(dst, 'e')
		if n-1 >= 0 {
			dst = append(dst, '+')
		}
		dst = strconv.AppendInt(dst, int64(n-1), 10)
	}
	return dst
}

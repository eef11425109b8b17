package document

import (
	"encoding/json"
	"math/bits"
	"slices"
	"strconv"
	"strings"
	"unicode/utf16"
	"unicode/utf8"
)

// A SyntaxError describes why Parse rejected its input.
type SyntaxError struct {
	Offset int // byte offset in the input where the error was found
	msg    string
}

// Error returns the message, with the offset.
func (e *SyntaxError) Error() string {
	return "document: " + e.msg + " at offset " + strconv.Itoa(e.Offset)
}

// maxDepth bounds nesting, as encoding/json does, so that hostile input
// cannot exhaust the stack.
const maxDepth = 10000

// indexThreshold is the member count above which duplicate keys are found
// with a map rather than by scanning.
const indexThreshold = 32

// Parse decodes one JSON value (RFC 8259, strict; trailing data is an error), keeping object member order.
// Duplicate keys behave as JavaScript's JSON.parse: the last value wins, at the position JS would give it.
//
// Like JSON.parse, Parse builds each object as if by Set, so array-index
// keys come first, in numeric order. The input must be valid UTF-8; escaped
// lone surrogates decode to U+FFFD, as in encoding/json. The strings of the
// result share memory with one copy of data.
func Parse(data []byte) (Value, error) {
	var p Parser
	return p.Parse(data)
}

// A Parser parses documents one after another, reusing its memory for the
// members and items of each: every Parse invalidates the Values the previous
// one returned. It saves most of the allocations of parsing many documents
// in turn, when each is done with before the next.
type Parser struct {
	counts  []int32
	members []Member
	items   []Value
}

// Parse is the package's Parse, in the Parser's memory.
func (pp *Parser) Parse(data []byte) (Value, error) {
	if !utf8.Valid(data) {
		return Value{}, &SyntaxError{Offset: invalidUTF8(data), msg: "invalid UTF-8"}
	}
	p := parser{s: string(data)}
	if pp.counts == nil {
		var counts [64]int32
		pp.counts = counts[:0]
	}
	var members, items int
	pp.counts, members, items = countElements(p.s, pp.counts[:0])
	p.counts = pp.counts
	if cap(pp.members) < members {
		pp.members = make([]Member, members)
	}
	if cap(pp.items) < items {
		pp.items = make([]Value, items)
	}
	// The parser fills in only the fields a value needs: start from zero.
	p.members = pp.members[:members]
	p.items = pp.items[:items]
	clear(p.members)
	clear(p.items)
	var v Value
	if err := p.value(&v, 0); err != nil {
		return Value{}, err
	}
	p.skipSpace()
	if p.pos < len(p.s) {
		return Value{}, p.errorf("invalid character " + p.charAt(p.pos) + " after top-level value")
	}
	return v, nil
}

// FromAny is json.Marshal followed by Parse.
func FromAny(v any) (Value, error) {
	data, err := json.Marshal(v)
	if err != nil {
		return Value{}, err
	}
	return Parse(data)
}

// A parser decodes one document in two passes. The first counts the
// elements of each container, so that the second can place members and
// items straight into two arenas of exactly the right size: a document
// costs a handful of allocations, and each element is written once.
type parser struct {
	s   string
	pos int

	counts []int32 // elements of each container, in the order they open
	next   int     // index in counts of the next container to open

	members []Member // unused part of the member arena
	items   []Value  // unused part of the item arena

	buf []byte // scratch for strings with escapes
}

func (p *parser) errorf(msg string) error {
	return &SyntaxError{Offset: p.pos, msg: msg}
}

// countElements appends to counts the number of elements of each
// container of s, in the order they open, and returns the total numbers of
// members and items. It only looks at the structure of s: on invalid input
// its counts may be wrong, and the parser, which reports the error, copes
// with that.
func countElements(s string, counts []int32) (_ []int32, members, items int) {
	type open struct {
		count  int  // index in counts
		object bool // whether it counts members rather than items
	}
	var stackArray [32]open
	stack := stackArray[:0]
	for i := 0; i < len(s); i++ {
		switch c := s[i]; c {
		case '"':
			i = skipString(s, i)
		case ',':
			if len(stack) > 0 {
				counts[stack[len(stack)-1].count]++
			}
		case '{', '[':
			// A container has one element more than it has commas, unless
			// it is empty.
			j := i + 1
			for j < len(s) && (s[j] == ' ' || s[j] == '\t' || s[j] == '\n' || s[j] == '\r') {
				j++
			}
			n := int32(1)
			if j < len(s) && (s[j] == '}' || s[j] == ']') {
				n = 0
			}
			stack = append(stack, open{len(counts), c == '{'})
			counts = append(counts, n)
		case '}', ']':
			if len(stack) > 0 {
				top := stack[len(stack)-1]
				stack = stack[:len(stack)-1]
				if top.object {
					members += int(counts[top.count])
				} else {
					items += int(counts[top.count])
				}
			}
		}
	}
	return counts, members, items
}

// skipString returns the offset of the quote that ends the string starting
// at s[i], or len(s).
func skipString(s string, i int) int {
	for {
		j := strings.IndexByte(s[i+1:], '"')
		if j < 0 {
			return len(s)
		}
		i += j + 1
		// The quote ends the string unless an odd number of backslashes
		// escapes it.
		k := i
		for s[k-1] == '\\' {
			k--
		}
		if (i-k)%2 == 0 {
			return i
		}
	}
}

// reserve returns the number of elements the first pass counted for the
// container opening now.
func (p *parser) reserve() int {
	n := 0
	if p.next < len(p.counts) {
		n = int(p.counts[p.next])
	}
	p.next++
	return n
}

func (p *parser) skipSpace() {
	for p.pos < len(p.s) {
		switch p.s[p.pos] {
		case ' ', '\t', '\n', '\r':
			p.pos++
		default:
			return
		}
	}
}

// value parses a value into dst, which the caller has zeroed.
func (p *parser) value(dst *Value, depth int) error {
	p.skipSpace()
	if p.pos >= len(p.s) {
		return p.errorf("unexpected end of input")
	}
	switch c := p.s[p.pos]; {
	case c == '"':
		s, err := p.str()
		dst.Kind, dst.Scalar = String, s
		return err
	case c == '{':
		return p.object(dst, depth+1)
	case c == '[':
		return p.array(dst, depth+1)
	case c == '-' || '0' <= c && c <= '9':
		return p.number(dst)
	case c == 't':
		return p.literal(dst, Bool, "true")
	case c == 'f':
		return p.literal(dst, Bool, "false")
	case c == 'n':
		return p.literal(dst, Null, "null")
	default:
		return p.errorf("invalid character " + p.charAt(p.pos) + " looking for beginning of value")
	}
}

func (p *parser) literal(dst *Value, kind Kind, word string) error {
	if len(p.s)-p.pos < len(word) || p.s[p.pos:p.pos+len(word)] != word {
		return p.errorf("invalid literal")
	}
	p.pos += len(word)
	dst.Kind = kind
	if kind != Null {
		dst.Scalar = word
	}
	return nil
}

func (p *parser) object(dst *Value, depth int) error {
	if depth > maxDepth {
		return p.errorf("exceeded max depth")
	}
	p.pos++ // '{'
	n := min(p.reserve(), len(p.members))
	members := p.members[:0:n]
	p.members = p.members[n:]
	dst.Kind = Object
	p.skipSpace()
	if p.pos < len(p.s) && p.s[p.pos] == '}' {
		p.pos++
		dst.Members = members
		return nil
	}
	var index map[string]int // member positions, once there are many
	hasIndexKey := false
	for {
		p.skipSpace()
		if p.pos >= len(p.s) || p.s[p.pos] != '"' {
			return p.errorf("expected string for object key")
		}
		key, err := p.str()
		if err != nil {
			return err
		}
		p.skipSpace()
		if p.pos >= len(p.s) || p.s[p.pos] != ':' {
			return p.errorf("expected ':' after object key")
		}
		p.pos++
		// Parse straight into the arena, whose slots are still zero: the
		// first pass reserved room.
		last := len(members)
		members = grow(members)
		members[last].Key = key
		if err := p.value(&members[last].Value, depth); err != nil {
			return err
		}

		// JSON.parse assigns members in turn, so a repeated key keeps the
		// position of its first occurrence and takes the last value.
		dup := -1
		if index != nil {
			if i, ok := index[key]; ok {
				dup = i
			}
		} else {
			for i := range members[:last] {
				if members[i].Key == key {
					dup = i
					break
				}
			}
		}
		if dup >= 0 {
			members[dup].Value = members[last].Value
			members[last] = Member{}
			members = members[:last]
		} else {
			if index == nil && len(members) > indexThreshold {
				index = make(map[string]int, 2*len(members))
				for i := range members {
					index[members[i].Key] = i
				}
			} else if index != nil {
				index[key] = last
			}
			hasIndexKey = hasIndexKey || IsArrayIndex(key)
		}

		p.skipSpace()
		if p.pos >= len(p.s) {
			return p.errorf("unexpected end of input")
		}
		switch p.s[p.pos] {
		case ',':
			p.pos++
			continue
		case '}':
			p.pos++
		default:
			return p.errorf("expected ',' or '}' after object member")
		}
		break
	}
	if hasIndexKey {
		slices.SortStableFunc(members, func(a, b Member) int { return CompareInsertion(a.Key, b.Key) })
	}
	dst.Members = members
	return nil
}

func (p *parser) array(dst *Value, depth int) error {
	if depth > maxDepth {
		return p.errorf("exceeded max depth")
	}
	p.pos++ // '['
	n := min(p.reserve(), len(p.items))
	items := p.items[:0:n]
	p.items = p.items[n:]
	dst.Kind = Array
	p.skipSpace()
	if p.pos < len(p.s) && p.s[p.pos] == ']' {
		p.pos++
		dst.Items = items
		return nil
	}
	for {
		items = grow(items)
		if err := p.value(&items[len(items)-1], depth); err != nil {
			return err
		}
		p.skipSpace()
		if p.pos >= len(p.s) {
			return p.errorf("unexpected end of input")
		}
		switch p.s[p.pos] {
		case ',':
			p.pos++
			continue
		case ']':
			p.pos++
		default:
			return p.errorf("expected ',' or ']' after array element")
		}
		break
	}
	dst.Items = items
	return nil
}

// grow extends s by one zero element, in place where there is room: the
// arenas' unused slots are zero.
func grow[S ~[]E, E any](s S) S {
	if len(s) < cap(s) {
		return s[:len(s)+1]
	}
	var zero E
	return append(s, zero) // only on input the first pass miscounted
}

// strSafe marks the bytes a string holds as they are: all but quotes,
// backslashes and control characters.
var strSafe = func() (t [256]bool) {
	for c := range t {
		t[c] = c >= 0x20 && c != '"' && c != '\\'
	}
	return t
}()

// safeSpan returns the end of the run of strSafe bytes in s from i on. It
// tests eight bytes at a time, as most strings have no escapes.
func safeSpan(s string, i int) int {
	const ones, highs = 0x0101010101010101, 0x8080808080808080
	for ; i+8 <= len(s); i += 8 {
		_ = s[i+7]
		x := uint64(s[i]) | uint64(s[i+1])<<8 | uint64(s[i+2])<<16 | uint64(s[i+3])<<24 |
			uint64(s[i+4])<<32 | uint64(s[i+5])<<40 | uint64(s[i+6])<<48 | uint64(s[i+7])<<56
		q := x ^ '"'*ones
		b := x ^ '\\'*ones
		// The high bit of a byte is set if the byte is below 0x20, a quote
		// or a backslash, or, because of borrows, if an earlier byte is.
		if m := ((x-0x20*ones)&^x | (q-ones)&^q | (b-ones)&^b) & highs; m != 0 {
			return i + bits.TrailingZeros64(m)/8
		}
	}
	for i < len(s) && strSafe[s[i]] {
		i++
	}
	return i
}

// str decodes the string starting at p.pos. Strings without escapes are
// substrings of the input and cost no allocation.
func (p *parser) str() (string, error) {
	p.pos++ // '"'
	start := p.pos
	i := safeSpan(p.s, start)
	if i < len(p.s) && p.s[i] == '"' {
		p.pos = i + 1
		return p.s[start:i], nil
	}
	buf := append(p.buf[:0], p.s[start:i]...)
	for {
		if i >= len(p.s) {
			p.pos = i
			return "", p.errorf("unexpected end of input in string")
		}
		c := p.s[i]
		switch {
		case c == '"':
			p.pos = i + 1
			p.buf = buf
			return string(buf), nil
		case c < 0x20:
			p.pos = i
			return "", p.errorf("invalid character " + p.charAt(i) + " in string literal")
		case c != '\\':
			j := safeSpan(p.s, i+1)
			buf = append(buf, p.s[i:j]...)
			i = j
			continue
		}
		if i+1 >= len(p.s) {
			p.pos = i
			return "", p.errorf("unexpected end of input in string escape")
		}
		switch e := p.s[i+1]; e {
		case '"', '\\', '/':
			buf = append(buf, e)
		case 'b':
			buf = append(buf, '\b')
		case 'f':
			buf = append(buf, '\f')
		case 'n':
			buf = append(buf, '\n')
		case 'r':
			buf = append(buf, '\r')
		case 't':
			buf = append(buf, '\t')
		case 'u':
			r, ok := hex4(p.s, i+2)
			if !ok {
				p.pos = i
				return "", p.errorf("invalid \\u escape in string literal")
			}
			i += 6
			if utf16.IsSurrogate(r) {
				r2, ok := rune(0), false
				if i+1 < len(p.s) && p.s[i] == '\\' && p.s[i+1] == 'u' {
					r2, ok = hex4(p.s, i+2)
				}
				if dec := utf16.DecodeRune(r, r2); ok && dec != utf8.RuneError {
					r = dec
					i += 6
				} else {
					r = utf8.RuneError
				}
			}
			buf = utf8.AppendRune(buf, r)
			continue
		default:
			p.pos = i
			return "", p.errorf("invalid escape " + p.charAt(i+1) + " in string literal")
		}
		i += 2
	}
}

func hex4(s string, i int) (rune, bool) {
	if len(s)-i < 4 {
		return 0, false
	}
	var r rune
	for _, c := range s[i : i+4] {
		switch {
		case '0' <= c && c <= '9':
			c -= '0'
		case 'a' <= c && c <= 'f':
			c -= 'a' - 10
		case 'A' <= c && c <= 'F':
			c -= 'A' - 10
		default:
			return 0, false
		}
		r = r<<4 | c
	}
	return r, true
}

// number scans a number per the JSON grammar and keeps its text.
func (p *parser) number(dst *Value) error {
	s, start := p.s, p.pos
	i := start
	if s[i] == '-' {
		i++
	}
	switch {
	case i < len(s) && s[i] == '0':
		i++
	case i < len(s) && '1' <= s[i] && s[i] <= '9':
		i = digits(s, i)
	default:
		p.pos = i
		return p.errorf("invalid number")
	}
	if i < len(s) && s[i] == '.' {
		j := digits(s, i+1)
		if j == i+1 {
			p.pos = j
			return p.errorf("invalid number")
		}
		i = j
	}
	if i < len(s) && (s[i] == 'e' || s[i] == 'E') {
		i++
		if i < len(s) && (s[i] == '+' || s[i] == '-') {
			i++
		}
		j := digits(s, i)
		if j == i {
			p.pos = j
			return p.errorf("invalid number")
		}
		i = j
	}
	p.pos = i
	dst.Kind, dst.Scalar = Number, s[start:i]
	return nil
}

func digits(s string, i int) int {
	for i < len(s) && '0' <= s[i] && s[i] <= '9' {
		i++
	}
	return i
}

// charAt quotes the character at byte offset i, for error messages.
func (p *parser) charAt(i int) string {
	r, _ := utf8.DecodeRuneInString(p.s[i:])
	return strconv.QuoteRune(r)
}

func invalidUTF8(data []byte) int {
	for i := 0; i < len(data); {
		r, n := utf8.DecodeRune(data[i:])
		if r == utf8.RuneError && n == 1 {
			return i
		}
		i += n
	}
	return len(data)
}

// Package jsonstr checks the contents of JSON strings before a document is
// parsed, so that the two JSON parsers we use (encoding/json and
// simdjson-go) accept exactly the same untrusted input: simdjson-go does
// not validate escapes (it decodes "\u 000" or leaves strings under
// ignored keys unchecked), and encoding/json silently turns unpaired UTF-16
// surrogates into U+FFFD where simdjson-go rejects some of them.
package jsonstr

// Check scans the strings of a JSON document and returns the offset of the
// first malformed one and what is wrong with it, or -1 and "": an escape
// other than \" \\ \/ \b \f \n \r \t \uXXXX, a \u without four hex digits,
// a raw control character, or a \u escape encoding an unpaired UTF-16
// surrogate. The offset is that of the backslash or the character. Only
// string contents are checked; all other syntax is left to the parser.
func Check(b []byte) (int, string) {
	inStr := false
	for i := 0; i < len(b); i++ {
		c := b[i]
		if !inStr {
			if c == '"' {
				inStr = true
			}
			continue
		}
		switch {
		case c == '"':
			inStr = false
		case c < 0x20:
			return i, "control character in a string"
		case c == '\\':
			if i+1 >= len(b) {
				return i, "unterminated escape"
			}
			switch b[i+1] {
			case '"', '\\', '/', 'b', 'f', 'n', 'r', 't':
				i++
			case 'u':
				r, ok := hex4(b[i+2:])
				if !ok {
					return i, `\u escape without four hex digits`
				}
				switch {
				case 0xD800 <= r && r < 0xDC00:
					// A high half must be followed at once by a low half.
					lo, ok := rune(0), false
					if i+7 < len(b) && b[i+6] == '\\' && b[i+7] == 'u' {
						lo, ok = hex4(b[i+8:])
					}
					if !ok || lo < 0xDC00 || lo >= 0xE000 {
						return i, "unpaired UTF-16 surrogate escape"
					}
					i += 11
				case 0xDC00 <= r && r < 0xE000:
					return i, "unpaired UTF-16 surrogate escape"
				default:
					i += 5
				}
			default:
				return i, "invalid escape"
			}
		}
	}
	return -1, ""
}

func hex4(b []byte) (rune, bool) {
	if len(b) < 4 {
		return 0, false
	}
	var r rune
	for _, c := range b[:4] {
		switch {
		case '0' <= c && c <= '9':
			c -= '0'
		case 'a' <= c && c <= 'f':
			c = c - 'a' + 10
		case 'A' <= c && c <= 'F':
			c = c - 'A' + 10
		default:
			return 0, false
		}
		r = r<<4 | rune(c)
	}
	return r, true
}

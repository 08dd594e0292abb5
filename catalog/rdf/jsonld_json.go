package rdf

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"unicode/utf8"
)

// skipBOM drops a leading UTF-8 byte order mark, which encoding/json refuses.
func skipBOM(data []byte) []byte {
	return bytes.TrimPrefix(data, []byte("\xef\xbb\xbf"))
}

// jsonTooDeep reports whether the arrays and objects of a JSON text nest
// deeper than max, and the offset of the first bracket that does. It only
// counts brackets outside strings, so it needs no valid JSON and no recursion:
// it runs before anything that recurses sees the document.
func jsonTooDeep(data []byte, max int) (offset int, deep bool) {
	depth := 0
	for i := 0; i < len(data); i++ {
		switch data[i] {
		case '"':
			// Skip the string: to the next quote not escaped.
			for i++; i < len(data); i++ {
				j := bytes.IndexAny(data[i:], `"\`)
				if j < 0 {
					return 0, false
				}
				i += j
				if data[i] == '"' {
					break
				}
				i++ // the escaped byte
			}
		case '{', '[':
			depth++
			if depth > max {
				return i, true
			}
		case '}', ']':
			depth--
		}
	}
	return 0, false
}

// jsonPosition returns the 1-based line and column (in characters) of the
// byte at offset off of data.
func jsonPosition(data []byte, off int) (line, col int) {
	off = min(max(off, 0), len(data))
	head := data[:off]
	line = 1 + bytes.Count(head, []byte{'\n'})
	lineStart := bytes.LastIndexByte(head, '\n') + 1
	return line, 1 + utf8.RuneCount(head[lineStart:])
}

// jsonSyntaxError turns an encoding/json error into an *Error with the place
// it was found.
func jsonSyntaxError(data []byte, err error) error {
	var se *json.SyntaxError
	if !errors.As(err, &se) {
		var te *json.UnmarshalTypeError // a number too large for float64
		if errors.As(err, &te) {
			// Offset is the end of the value; point at its start.
			start := bytes.LastIndexAny(data[:min(int(te.Offset), len(data))], ":,[ \t\r\n") + 1
			line, col := jsonPosition(data, start)
			return &Error{Syntax: JSONLD, Line: line, Column: col, Msg: fmt.Sprintf("JSON: %v", err), Err: err}
		}
		return &Error{Syntax: JSONLD, Msg: fmt.Sprintf("JSON: %v", err), Err: err}
	}
	// Offset counts the bytes read when the error was found: the culprit is
	// the last of them, unless the text ended early.
	off := int(se.Offset)
	if off > 0 && !strings.HasPrefix(se.Error(), "unexpected end of JSON input") {
		off--
	}
	line, col := jsonPosition(data, off)
	return &Error{Syntax: JSONLD, Line: line, Column: col, Msg: "JSON: " + se.Error(), Err: err}
}

package rdf

import "io"

// decodeJSONLD is written in its own change; until then the syntax is refused.
func decodeJSONLD(r io.Reader, opts Options, fn func(Triple) error) error {
	return &Error{Syntax: JSONLD, Msg: "decoder not built yet", Err: ErrUnknownSyntax}
}

package rdf

import "io"

// decodeNTriples is written in its own change; until then the syntax is refused.
func decodeNTriples(r io.Reader, opts Options, fn func(Triple) error) error {
	return &Error{Syntax: NTriples, Msg: "decoder not built yet", Err: ErrUnknownSyntax}
}

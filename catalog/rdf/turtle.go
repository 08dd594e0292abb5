package rdf

import "io"

// decodeTurtle is written in its own change; until then the syntax is refused.
func decodeTurtle(r io.Reader, opts Options, fn func(Triple) error) error {
	return &Error{Syntax: Turtle, Msg: "decoder not built yet", Err: ErrUnknownSyntax}
}

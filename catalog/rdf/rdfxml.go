package rdf

import "io"

// decodeRDFXML is written in its own change; until then the syntax is refused.
func decodeRDFXML(r io.Reader, opts Options, fn func(Triple) error) error {
	return &Error{Syntax: RDFXML, Msg: "decoder not built yet", Err: ErrUnknownSyntax}
}

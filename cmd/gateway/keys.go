package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/lestrrat-go/jwx/v3/jwk"

	"samband/exchange"
)

const keysUsage = `keys <subcommand> [flags]

Subcommands:
  generate --kid KID [--alg EdDSA|ES256] --out FILE
                     make a signing key for an authority or a gateway: the private
                     JWK goes to FILE (mode 600), its public key set to stdout
  set FILE[@EXPIRY] ...
                     print the public key set of the private keys in the files; a
                     key retired in a rotation carries its expiry (RFC 3339), after
                     which no gateway honours it`

func runKeys(ctx context.Context, e env, args []string) error {
	if len(args) == 0 {
		fmt.Fprintf(e.stderr, "Usage: gateway %s\n", keysUsage)
		return usagef("keys: no subcommand given")
	}
	switch args[0] {
	case "-h", "-help", "--help", "help":
		fmt.Fprintf(e.stdout, "Usage: gateway %s\n", keysUsage)
		return nil
	case "generate":
		return runKeysGenerate(e, args[1:])
	case "set":
		return runKeysSet(e, args[1:])
	}
	fmt.Fprintf(e.stderr, "Usage: gateway %s\n", keysUsage)
	return usagef("keys: unknown subcommand %q", args[0])
}

func runKeysGenerate(e env, args []string) error {
	fs := newFlagSet(e, "keys generate", "keys generate --kid KID [--alg EdDSA|ES256] --out FILE\n\n"+
		"Makes a signing key. The private JWK is written to FILE, readable by its owner\n"+
		"alone; the public key set is printed: give it to the gateways that must trust\n"+
		"the key (exchange.parties[].jwks, or serve it at a jwks_url).")
	kid := fs.String("kid", "", "the key's id, unique among the party's keys (for example fi-kela-2026-11)")
	alg := fs.String("alg", "EdDSA", "EdDSA (Ed25519) or ES256 (P-256)")
	out := fs.String("out", "", "the file for the private key; an existing file is not overwritten")
	if err := parseFlags(e, fs, args); err != nil {
		return err
	}
	if *kid == "" || *out == "" || fs.NArg() > 0 {
		return usagef("keys generate: give --kid and --out and nothing else")
	}
	if *alg != "EdDSA" && *alg != "ES256" {
		return usagef("keys generate: --alg %q: EdDSA or ES256", *alg)
	}
	k, err := exchange.GenerateKey(*alg, *kid)
	if err != nil {
		return err
	}
	privJSON, err := json.MarshalIndent(k, "", "  ")
	if err != nil {
		return err
	}
	f, err := os.OpenFile(*out, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return fmt.Errorf("keys generate: %w", err)
	}
	if _, err := f.Write(append(privJSON, '\n')); err != nil {
		f.Close()
		return fmt.Errorf("keys generate: %w", err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("keys generate: %w", err)
	}
	return printPublicSet(e, []keyArg{{path: *out}})
}

// keyArg is a private key file and, for a retired key, its expiry.
type keyArg struct {
	path    string
	expires time.Time
}

func runKeysSet(e env, args []string) error {
	fs := newFlagSet(e, "keys set", "keys set FILE[@EXPIRY] ...\n\n"+
		"Prints the public key set of the private keys in the files. In a rotation,\n"+
		"list the new key and the old one with its expiry (old.jwk@2026-12-31T00:00:00Z):\n"+
		"gateways honour the old key until then, and not after.")
	if err := parseFlags(e, fs, args); err != nil {
		return err
	}
	if fs.NArg() == 0 {
		return usagef("keys set: give at least one key file")
	}
	var keys []keyArg
	for _, a := range fs.Args() {
		path, exp, hasExp := strings.Cut(a, "@")
		k := keyArg{path: path}
		if hasExp {
			t, err := time.Parse(time.RFC3339, exp)
			if err != nil {
				return usagef("keys set: %s: the expiry is not an RFC 3339 time: %v", a, err)
			}
			k.expires = t
		}
		keys = append(keys, k)
	}
	return printPublicSet(e, keys)
}

// printPublicSet prints the public key set of the keys.
func printPublicSet(e env, keys []keyArg) error {
	set := jwk.NewSet()
	for _, ka := range keys {
		k, err := readPrivateKey(ka.path)
		if err != nil {
			return fmt.Errorf("keys: %w", err)
		}
		pub, err := jwk.PublicKeyOf(k)
		if err != nil {
			return fmt.Errorf("keys: %w", err)
		}
		if !ka.expires.IsZero() {
			if err := pub.Set("exp", ka.expires.Unix()); err != nil {
				return err
			}
		}
		kid, _ := pub.KeyID()
		if _, dup := set.LookupKeyID(kid); dup {
			return errors.New("keys: two keys with the kid " + kid)
		}
		set.AddKey(pub)
	}
	out, err := json.MarshalIndent(set, "", "  ")
	if err != nil {
		return err
	}
	fmt.Fprintln(e.stdout, string(out))
	return nil
}

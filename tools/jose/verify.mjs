// Checks Samband's JWS with the jose library, an implementation
// independent of the gateway's. Reads one JSON object a line on stdin and
// writes one JSON object a line on stdout, in the same order:
//
//   {"op":"verify","jws":"...","jwk":{...},"payload":"b64url","typ":"..."}
//     verifies a compact JWS with the public JWK; payload is given for a
//     detached JWS (RFC 7515 appendix F); the algorithm is the JWK's "alg",
//     else the one the line names ("alg"), else the protected header's;
//     typ, when given, must be the header's typ.
//     -> {"ok":true,"payload":"b64url","protected":{...}} or {"ok":false,"error":"..."}
//
//   {"op":"sign","jwk":{...},"protected":{...},"payload":"b64url","detached":true}
//     signs the payload with the private JWK (an "oct" key for HMAC).
//     -> {"ok":true,"jws":"..."} or {"ok":false,"error":"..."}
//
// "op" defaults to "verify". The exit status is 0 unless stdin cannot be
// read; every failure of a line is its answer.
import { createInterface } from 'node:readline';
import { compactVerify, CompactSign, importJWK, decodeProtectedHeader, base64url } from 'jose';

async function verify(line) {
  let compact = line.jws;
  if (line.payload !== undefined) {
    const parts = compact.split('.');
    if (parts.length !== 3 || parts[1] !== '') {
      throw new Error('a detached JWS has an empty middle part');
    }
    compact = `${parts[0]}.${line.payload}.${parts[2]}`;
  }
  const header = decodeProtectedHeader(compact);
  const alg = line.jwk.alg ?? line.alg ?? header.alg;
  const key = await importJWK(line.jwk, alg);
  const { payload, protectedHeader } = await compactVerify(compact, key, { algorithms: [alg] });
  if (line.typ !== undefined && protectedHeader.typ !== line.typ) {
    throw new Error(`typ ${protectedHeader.typ}, want ${line.typ}`);
  }
  return { ok: true, payload: base64url.encode(payload), protected: protectedHeader };
}

async function sign(line) {
  const key = await importJWK(line.jwk, line.protected.alg);
  const jws = await new CompactSign(base64url.decode(line.payload))
    .setProtectedHeader(line.protected)
    .sign(key);
  if (line.detached) {
    const [h, , s] = jws.split('.');
    return { ok: true, jws: `${h}..${s}` };
  }
  return { ok: true, jws };
}

const rl = createInterface({ input: process.stdin, crlfDelay: Infinity });
for await (const text of rl) {
  if (text.trim() === '') continue;
  let answer;
  try {
    const line = JSON.parse(text);
    answer = await ((line.op ?? 'verify') === 'sign' ? sign(line) : verify(line));
  } catch (err) {
    answer = { ok: false, error: `${err.code ?? err.name}: ${err.message}` };
  }
  process.stdout.write(JSON.stringify(answer) + '\n');
}

package soap_test

import (
	"bytes"
	"encoding/json"
	"encoding/xml"
	"path/filepath"
	"testing"

	"github.com/thereforebridge/thereforebridge/bridge/contract"
	"github.com/thereforebridge/thereforebridge/bridge/golden"
	"github.com/thereforebridge/thereforebridge/bridge/soap"
	"github.com/thereforebridge/thereforebridge/bridge/xmltok"
)

// decodedJSON is a request as the decoded.json goldens show it.
func decodedJSON(t *testing.T, req *soap.Request) []byte {
	t.Helper()
	params, err := json.Marshal(contract.Params(req.Body))
	if err != nil {
		t.Fatal(err)
	}
	js, err := json.MarshalIndent(struct {
		Operation string          `json:"operation"`
		Params    json.RawMessage `json:"params"`
	}{req.Operation.Name, params}, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	return append(js, '\n')
}

// TestDecodedGoldensRoundTrip reads every envelope real stacks sent, checks
// what it decodes to against decoded.json, then encodes that body again
// (encoding/xml from the generated types' tags, in a plain envelope of the
// same version) and reads it back: it must give the same JSON. A field
// the decoder drops or invents, or a value it changes, shows here.
func TestDecodedGoldensRoundTrip(t *testing.T) {
	dirs, _ := filepath.Glob(filepath.Join(golden.Root(), "soap", "ok", "*"))
	if len(dirs) == 0 {
		t.Fatal("no cases under testdata/soap/ok")
	}
	for _, dir := range dirs {
		t.Run(filepath.Base(dir), func(t *testing.T) {
			header, body := golden.ReadCase(t, dir)
			tr, f := soap.ParseTransport(header)
			if f != nil {
				t.Fatal(f)
			}
			req, f := soap.Read(body, tr, contract.Operations(), xmltok.DefaultLimits, soap.Decoding{})
			if f != nil {
				t.Fatal(f)
			}
			first := decodedJSON(t, req)
			golden.Check(t, filepath.Join(dir, "decoded.json"), first)

			inner, err := xml.Marshal(req.Body)
			if err != nil {
				t.Fatalf("encoding the decoded body: %v", err)
			}
			var env bytes.Buffer
			env.WriteString(`<s:Envelope xmlns:s="` + req.Version.Namespace() + `"><s:Body>`)
			env.Write(inner)
			env.WriteString(`</s:Body></s:Envelope>`)
			again, f := soap.Read(env.Bytes(), soap.Transport{Version: req.Version, Action: req.Operation.Action}, contract.Operations(), xmltok.DefaultLimits, soap.Decoding{})
			if f != nil {
				t.Fatalf("the re-encoded body does not read back: %s\n%s", f.Reason, env.Bytes())
			}
			if second := decodedJSON(t, again); !bytes.Equal(first, second) {
				t.Errorf("decoded, encoded and decoded again, the request differs:\nfirst:\n%s\nagain:\n%s\nre-encoded:\n%s", first, second, env.Bytes())
			}
		})
	}
}

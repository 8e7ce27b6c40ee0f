package wsdl_test

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/beevik/etree"

	_ "github.com/thereforebridge/thereforebridge/bridge/golden"
	"github.com/thereforebridge/thereforebridge/wsdl"
)

// requireTool skips when a tool is missing, except under `make test`
// (THEREFOREBRIDGE_REQUIRE_INTEROP=1), where a missing tool is a failure.
func requireTool(t *testing.T, name string) string {
	t.Helper()
	p, err := exec.LookPath(name)
	if err != nil {
		if os.Getenv("THEREFOREBRIDGE_REQUIRE_INTEROP") == "1" {
			t.Fatalf("%s is not installed (.ci/run installs it): %v", name, err)
		}
		t.Skipf("%s is not installed", name)
	}
	return p
}

// TestSchemaCompilesAndValidates writes the WSDL's two schemas to files and
// lets xmllint (libxml2) compile them and validate a valid and an invalid
// SavePortalUser body, so the contract is checked by a second, independent
// XML Schema implementation.
func TestSchemaCompilesAndValidates(t *testing.T) {
	xmllint := requireTool(t, "xmllint")
	doc := etree.NewDocument()
	if err := doc.ReadFromBytes(wsdl.Document); err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	var messages string
	for _, s := range doc.FindElements("//[local-name()='schema']") {
		sd := etree.NewDocument()
		root := s.Copy()
		// Carry the namespace declarations the schema inherits from the WSDL.
		for _, a := range doc.Root().Attr {
			if a.Space == "xmlns" && root.SelectAttr("xmlns:"+a.Key) == nil {
				root.CreateAttr("xmlns:"+a.Key, a.Value)
			}
		}
		tns := root.SelectAttrValue("targetNamespace", "")
		name := "types.xsd"
		if strings.HasSuffix(tns, "/messages") {
			name = "messages.xsd"
			messages = filepath.Join(dir, name)
			for _, imp := range root.SelectElements("import") {
				imp.CreateAttr("schemaLocation", "types.xsd")
			}
		}
		sd.SetRoot(root)
		if err := sd.WriteToFile(filepath.Join(dir, name)); err != nil {
			t.Fatal(err)
		}
	}
	if messages == "" {
		t.Fatal("the WSDL has no messages schema")
	}
	const valid = `<SavePortalUser xmlns="http://schemas.therefore.net/webservices/interop/v0001/messages">
  <parameters xmlns:t="http://schemas.therefore.net/webservices/interop/v0001/types">
    <t:IsOneTimePwd>true</t:IsOneTimePwd>
    <t:PortalUser>
      <t:CtgryNo>3</t:CtgryNo>
      <t:Email>a@example.com</t:Email>
      <t:IndexDataItems><t:WSIndexDataItem><t:TableIndexData><t:FieldNo>7</t:FieldNo>
        <t:DataValue><t:WSTableFieldDataRow><t:DataRowItems><t:WSTableFieldDataRowItem>
          <t:IntIndexData><t:FieldNo>1</t:FieldNo><t:DataValue>5</t:DataValue></t:IntIndexData>
        </t:WSTableFieldDataRowItem></t:DataRowItems><t:RowNo>0</t:RowNo></t:WSTableFieldDataRow></t:DataValue>
      </t:TableIndexData></t:WSIndexDataItem></t:IndexDataItems>
    </t:PortalUser>
  </parameters>
</SavePortalUser>`
	invalid := strings.Replace(valid, "<t:CtgryNo>3</t:CtgryNo>", "<t:CtgryNo>three</t:CtgryNo>", 1)
	for _, c := range []struct {
		name, body string
		ok         bool
	}{{"valid", valid, true}, {"invalid", invalid, false}} {
		p := filepath.Join(dir, c.name+".xml")
		if err := os.WriteFile(p, []byte(c.body), 0o644); err != nil {
			t.Fatal(err)
		}
		out, err := exec.Command(xmllint, "--noout", "--schema", messages, p).CombinedOutput()
		if strings.Contains(string(out), "failed to compile") || strings.Contains(string(out), "Schemas parser error") {
			t.Fatalf("the schema does not compile:\n%s", out)
		}
		if (err == nil) != c.ok {
			t.Errorf("%s instance: xmllint exit %v, want ok=%v:\n%s", c.name, err, c.ok, out)
		}
	}
}

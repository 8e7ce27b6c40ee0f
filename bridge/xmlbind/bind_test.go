package xmlbind_test

import (
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"math"
	"reflect"
	"strings"
	"testing"

	"github.com/thereforebridge/thereforebridge/bridge/xmlbind"
	"github.com/thereforebridge/thereforebridge/bridge/xmltok"
	"github.com/thereforebridge/thereforebridge/generated"
)

const (
	nsM   = "http://schemas.therefore.net/webservices/interop/v0001/messages"
	nsT   = "http://schemas.therefore.net/webservices/interop/v0001/types"
	nsXSI = "http://www.w3.org/2001/XMLSchema-instance"
)

// decl declares the prefixes every case uses: m (messages), t (types) and
// xsi.
const decl = `xmlns:m="` + nsM + `" xmlns:t="` + nsT + `" xmlns:xsi="` + nsXSI + `"`

// portalUser wraps the children of a PortalUser in a SavePortalUser.
func portalUser(children string) string {
	return `<m:SavePortalUser ` + decl + `><m:parameters><t:PortalUser>` + children + `</t:PortalUser></m:parameters></m:SavePortalUser>`
}

// required is what a PortalUser must hold besides the case's own children.
const required = `<t:Email>a@example.com</t:Email>`

// items wraps WSIndexDataItem elements in a valid PortalUser.
func items(items string) string {
	return portalUser(required + `<t:IndexDataItems>` + items + `</t:IndexDataItems>`)
}

// decode reads doc's first element into v (a pointer to a generated
// wrapper) named name, the way the SOAP layer does.
func decode(doc string, v any, name string, l xmltok.Limits) error {
	r := xmltok.NewReaderBytes([]byte(doc), l)
	for {
		tok, err := r.Token()
		if err != nil {
			return err
		}
		if start, ok := tok.(xml.StartElement); ok {
			_, err := xmlbind.Decode(r, start, v, name, xmlbind.Options{Strict: true})
			return err
		}
	}
}

func decodePortalUser(t *testing.T, doc string) *generated.WSPortalUser {
	t.Helper()
	var v generated.SavePortalUser
	if err := decode(doc, &v, "SavePortalUser", xmltok.DefaultLimits); err != nil {
		t.Fatalf("Decode: %v\ninput: %s", err, doc)
	}
	if v.Parameters == nil || v.Parameters.PortalUser == nil {
		t.Fatalf("Decode: no PortalUser in %+v", v)
	}
	return v.Parameters.PortalUser
}

func deref[T any](p *T) any {
	if p == nil {
		return nil
	}
	return *p
}

func TestDecodeSavePortalUser(t *testing.T) {
	tests := []struct {
		name  string
		doc   string
		check func(t *testing.T, u *generated.WSPortalUser)
	}{
		{
			name: "contract order",
			doc:  portalUser(`<t:CtgryNo>3</t:CtgryNo><t:Email>a@example.com</t:Email><t:QueryNo>7</t:QueryNo><t:UserName>bob</t:UserName><t:UserPwd>pw</t:UserPwd>`),
			check: func(t *testing.T, u *generated.WSPortalUser) {
				if u.CtgryNo != 3 || u.QueryNo != 7 || deref(u.Email) != "a@example.com" || deref(u.UserName) != "bob" || deref(u.UserPwd) != "pw" {
					t.Errorf("got CtgryNo=%d QueryNo=%d Email=%v UserName=%v UserPwd=%v", u.CtgryNo, u.QueryNo, deref(u.Email), deref(u.UserName), deref(u.UserPwd))
				}
			},
		},
		{
			name: "any order",
			doc:  portalUser(`<t:UserPwd>pw</t:UserPwd><t:QueryNo>7</t:QueryNo><t:UserName>bob</t:UserName><t:Email>a@example.com</t:Email><t:CtgryNo>3</t:CtgryNo>`),
			check: func(t *testing.T, u *generated.WSPortalUser) {
				if u.CtgryNo != 3 || u.QueryNo != 7 || deref(u.Email) != "a@example.com" || deref(u.UserName) != "bob" || deref(u.UserPwd) != "pw" {
					t.Errorf("got CtgryNo=%d QueryNo=%d Email=%v UserName=%v UserPwd=%v", u.CtgryNo, u.QueryNo, deref(u.Email), deref(u.UserName), deref(u.UserPwd))
				}
			},
		},
		{
			name: "default namespaces",
			doc: `<SavePortalUser xmlns="` + nsM + `"><parameters><PortalUser xmlns="` + nsT + `">` +
				`<Email>a@example.com</Email><QueryNo>7</QueryNo></PortalUser></parameters></SavePortalUser>`,
			check: func(t *testing.T, u *generated.WSPortalUser) {
				if deref(u.Email) != "a@example.com" || u.QueryNo != 7 {
					t.Errorf("got Email=%v QueryNo=%d", deref(u.Email), u.QueryNo)
				}
			},
		},
		{
			name: "other prefixes and redeclared default",
			doc: `<x:SavePortalUser xmlns:x="` + nsM + `" xmlns="` + nsT + `"><x:parameters xmlns:i="` + nsXSI + `" xmlns:a="` + nsT + `">` +
				`<a:PortalUser><Email>a@example.com</Email><a:UserName i:nil="true"/></a:PortalUser></x:parameters></x:SavePortalUser>`,
			check: func(t *testing.T, u *generated.WSPortalUser) {
				if deref(u.Email) != "a@example.com" || u.UserName != nil {
					t.Errorf("got Email=%v UserName=%v", deref(u.Email), deref(u.UserName))
				}
			},
		},
		{
			name: "xsi:nil true on a required nillable element",
			doc:  portalUser(`<t:Email xsi:nil="true"/>`),
			check: func(t *testing.T, u *generated.WSPortalUser) {
				if u.Email != nil {
					t.Errorf("Email = %q, want nil", *u.Email)
				}
			},
		},
		{
			name: "xsi:nil 1 with whitespace inside",
			doc:  portalUser(required + `<t:UserName xsi:nil=" 1 ">  </t:UserName>`),
			check: func(t *testing.T, u *generated.WSPortalUser) {
				if u.UserName != nil {
					t.Errorf("UserName = %q, want nil", *u.UserName)
				}
			},
		},
		{
			name: "nil attribute in another namespace is ignored",
			doc:  portalUser(`<t:Email xmlns:o="urn:other" o:nil="true">a@example.com</t:Email>`),
			check: func(t *testing.T, u *generated.WSPortalUser) {
				if deref(u.Email) != "a@example.com" {
					t.Errorf("Email = %v, want a@example.com", deref(u.Email))
				}
			},
		},
		{
			name: "xsi:nil false keeps the value",
			doc:  portalUser(`<t:Email xsi:nil="false">a@example.com</t:Email>`),
			check: func(t *testing.T, u *generated.WSPortalUser) {
				if deref(u.Email) != "a@example.com" {
					t.Errorf("Email = %v, want a@example.com", deref(u.Email))
				}
			},
		},
		{
			name: "empty string is not nil",
			doc:  portalUser(required + `<t:UserName/>`),
			check: func(t *testing.T, u *generated.WSPortalUser) {
				if u.UserName == nil || *u.UserName != "" {
					t.Errorf("UserName = %v, want a pointer to \"\"", deref(u.UserName))
				}
			},
		},
		{
			name: "xs:string keeps whitespace",
			doc:  portalUser(required + "<t:UserName>  bob \n</t:UserName>"),
			check: func(t *testing.T, u *generated.WSPortalUser) {
				if deref(u.UserName) != "  bob \n" {
					t.Errorf("UserName = %q, want %q", deref(u.UserName), "  bob \n")
				}
			},
		},
		{
			name: "CDATA and comments inside text",
			doc:  portalUser(`<t:Email><![CDATA[a<b]]><!-- note -->@ex<?pi x?>ample.com<![CDATA[]]></t:Email>`),
			check: func(t *testing.T, u *generated.WSPortalUser) {
				if deref(u.Email) != "a<b@example.com" {
					t.Errorf("Email = %q, want %q", deref(u.Email), "a<b@example.com")
				}
			},
		},
		{
			name: "entities in text",
			doc:  portalUser(`<t:Email>a&amp;b&#64;c&lt;</t:Email>`),
			check: func(t *testing.T, u *generated.WSPortalUser) {
				if deref(u.Email) != "a&b@c<" {
					t.Errorf("Email = %q, want %q", deref(u.Email), "a&b@c<")
				}
			},
		},
		{
			name: "comments, PIs, whitespace and unknown attributes between elements",
			doc:  portalUser("\n <!-- c --> <?pi?>\t" + `<t:Email foo="bar" xml:lang="en">a@example.com</t:Email> <t:QueryNo> +7 </t:QueryNo>`),
			check: func(t *testing.T, u *generated.WSPortalUser) {
				if deref(u.Email) != "a@example.com" || u.QueryNo != 7 {
					t.Errorf("got Email=%v QueryNo=%d", deref(u.Email), u.QueryNo)
				}
			},
		},
		{
			name: "nil Conditions",
			doc:  portalUser(required + `<t:Conditions xsi:nil="true"/>`),
			check: func(t *testing.T, u *generated.WSPortalUser) {
				if u.Conditions != nil {
					t.Errorf("Conditions = %+v, want nil", u.Conditions)
				}
			},
		},
		{
			name: "conditions with enum",
			doc: portalUser(required + `<t:Conditions><t:WSCondition><t:Condition>x</t:Condition><t:FieldNoOrName>3</t:FieldNoOrName>` +
				`<t:TimeZone> ServerLocal </t:TimeZone></t:WSCondition></t:Conditions>`),
			check: func(t *testing.T, u *generated.WSPortalUser) {
				if u.Conditions == nil || len(u.Conditions.WSCondition) != 1 {
					t.Fatalf("Conditions = %+v, want one", u.Conditions)
				}
				c := u.Conditions.WSCondition[0]
				if deref(c.Condition) != "x" || deref(c.FieldNoOrName) != "3" || deref(c.TimeZone) != generated.WSTimeZoneServerLocal {
					t.Errorf("got Condition=%v FieldNoOrName=%v TimeZone=%v", deref(c.Condition), deref(c.FieldNoOrName), deref(c.TimeZone))
				}
			},
		},
		{
			name: "every index data kind",
			doc: items(`<t:WSIndexDataItem><t:StringIndexData><t:FieldNo>1</t:FieldNo><t:DataValue>s</t:DataValue></t:StringIndexData></t:WSIndexDataItem>` +
				`<t:WSIndexDataItem xsi:nil="true"/>` +
				`<t:WSIndexDataItem><t:IntIndexData><t:DataValue>-2147483648</t:DataValue><t:FieldNo>2</t:FieldNo></t:IntIndexData></t:WSIndexDataItem>` +
				`<t:WSIndexDataItem><t:LogicalIndexData><t:FieldNo>3</t:FieldNo><t:DataValue>0</t:DataValue></t:LogicalIndexData></t:WSIndexDataItem>` +
				`<t:WSIndexDataItem><t:MoneyIndexData><t:FieldNo>4</t:FieldNo><t:DataValue>-INF</t:DataValue><t:DecimalDataValue> 1234.50 </t:DecimalDataValue></t:MoneyIndexData></t:WSIndexDataItem>` +
				`<t:WSIndexDataItem><t:DateIndexData><t:FieldNo>5</t:FieldNo><t:DataValue>2017-07-23T00:00:00</t:DataValue></t:DateIndexData>` +
				`<t:AccessMask><t:Value>18446744073709551615</t:Value></t:AccessMask></t:WSIndexDataItem>` +
				`<t:WSIndexDataItem><t:DateTimeIndexData><t:FieldNo>6</t:FieldNo><t:DataValue>2018-05-03T14:45:00+00:00</t:DataValue></t:DateTimeIndexData></t:WSIndexDataItem>` +
				`<t:WSIndexDataItem><t:MultipleKeywordData><t:FieldNo>7</t:FieldNo><t:DataValue><t:Keyword>a</t:Keyword><t:Keyword xsi:nil="true"/><t:Keyword>c</t:Keyword></t:DataValue>` +
				`<t:KeywordNos><t:KeywordNo>10</t:KeywordNo><t:KeywordNo>20</t:KeywordNo></t:KeywordNos></t:MultipleKeywordData></t:WSIndexDataItem>` +
				`<t:WSIndexDataItem><t:TableIndexData><t:FieldNo>8</t:FieldNo><t:DataValue><t:WSTableFieldDataRow><t:RowNo>1</t:RowNo><t:DataRowItems>` +
				`<t:WSTableFieldDataRowItem><t:SingleKeywordData><t:FieldNo>9</t:FieldNo><t:DataValue>k</t:DataValue></t:SingleKeywordData></t:WSTableFieldDataRowItem>` +
				`</t:DataRowItems></t:WSTableFieldDataRow></t:DataValue></t:TableIndexData></t:WSIndexDataItem>`),
			check: func(t *testing.T, u *generated.WSPortalUser) {
				if u.IndexDataItems == nil {
					t.Fatal("IndexDataItems is nil")
				}
				it := u.IndexDataItems.WSIndexDataItem
				if len(it) != 9 {
					t.Fatalf("got %d WSIndexDataItem, want 9", len(it))
				}
				if s := it[0].StringIndexData; s == nil || s.WSIndexDataBase == nil || s.FieldNo != 1 || deref(s.DataValue) != "s" {
					t.Errorf("item 1: StringIndexData = %+v", s)
				}
				if it[1] != nil {
					t.Errorf("item 2: got %+v, want nil (xsi:nil)", it[1])
				}
				if v := it[2].IntIndexData; v == nil || v.FieldNo != 2 || deref(v.DataValue) != int32(math.MinInt32) {
					t.Errorf("item 3: IntIndexData = %+v", v)
				}
				if v := it[3].LogicalIndexData; v == nil || v.FieldNo != 3 || deref(v.DataValue) != false {
					t.Errorf("item 4: LogicalIndexData = %+v", v)
				}
				if v := it[4].MoneyIndexData; v == nil || v.FieldNo != 4 || !math.IsInf(*v.DataValue, -1) || v.DecimalDataValue == nil || *v.DecimalDataValue != "1234.50" {
					t.Errorf("item 5: MoneyIndexData = %+v", v)
				}
				if v := it[5].DateIndexData; v == nil || v.FieldNo != 5 || v.DataValue == nil || v.DataValue.String() != "2017-07-23T00:00:00" || v.DataValue.HasZone() {
					t.Errorf("item 6: DateIndexData = %+v", v)
				}
				if m := it[5].AccessMask; m == nil || m.Value != math.MaxUint64 {
					t.Errorf("item 6: AccessMask = %+v", m)
				}
				if v := it[6].DateTimeIndexData; v == nil || v.DataValue == nil || !v.DataValue.IsUTC() || v.DataValue.String() != "2018-05-03T14:45:00+00:00" {
					t.Errorf("item 7: DateTimeIndexData = %+v", v)
				}
				if v := it[7].MultipleKeywordData; v == nil || v.DataValue == nil || len(v.DataValue.Keyword) != 3 ||
					deref(v.DataValue.Keyword[0]) != "a" || v.DataValue.Keyword[1] != nil || deref(v.DataValue.Keyword[2]) != "c" ||
					v.KeywordNos == nil || len(v.KeywordNos.KeywordNo) != 2 || v.KeywordNos.KeywordNo[1] != 20 {
					t.Errorf("item 8: MultipleKeywordData = %+v", v)
				}
				if v := it[8].TableIndexData; v == nil || v.DataValue == nil || len(v.DataValue.WSTableFieldDataRow) != 1 {
					t.Errorf("item 9: TableIndexData = %+v", v)
				} else {
					row := v.DataValue.WSTableFieldDataRow[0]
					if deref(row.RowNo) != int32(1) || row.DataRowItems == nil || len(row.DataRowItems.WSTableFieldDataRowItem) != 1 ||
						deref(row.DataRowItems.WSTableFieldDataRowItem[0].SingleKeywordData.DataValue) != "k" {
						t.Errorf("item 9: row = %+v", row)
					}
				}
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.check(t, decodePortalUser(t, tt.doc))
		})
	}
}

func TestDecodeNilParameters(t *testing.T) {
	tests := []struct {
		name string
		doc  string
		want bool // Parameters present
	}{
		{name: "nil parameters", doc: `<m:SavePortalUser ` + decl + `><m:parameters xsi:nil="true"/></m:SavePortalUser>`},
		{name: "no parameters", doc: `<m:SavePortalUser ` + decl + `/>`},
		{name: "empty parameters", doc: `<m:SavePortalUser ` + decl + `><m:parameters xsi:nil="false"><t:PortalUser xsi:nil="true"/></m:parameters></m:SavePortalUser>`, want: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var v generated.SavePortalUser
			if err := decode(tt.doc, &v, "SavePortalUser", xmltok.DefaultLimits); err != nil {
				t.Fatalf("Decode(%s): %v", tt.doc, err)
			}
			if got := v.Parameters != nil; got != tt.want {
				t.Errorf("Decode(%s): Parameters present = %v, want %v", tt.doc, got, tt.want)
			}
		})
	}
}

func TestDecodeOutOfOffice(t *testing.T) {
	doc := `<SaveOutOfOfficeInfoForUser xmlns="` + nsM + `"><parameters xmlns:a="` + nsT + `" xmlns:i="` + nsXSI + `">` +
		`<a:IsOutOfOfficeEnabled>1</a:IsOutOfOfficeEnabled>` +
		`<a:User><a:UserId>12</a:UserId><a:UserType>SystemUser</a:UserType></a:User>` +
		`<a:DelegateUsersToAdd><a:WSUserUniversalIdentifier><a:UserName>x</a:UserName></a:WSUserUniversalIdentifier>` +
		`<a:WSUserUniversalIdentifier><a:DomainName i:nil="true"/><a:UserName>y</a:UserName></a:WSUserUniversalIdentifier></a:DelegateUsersToAdd>` +
		`<a:DelegateUsers i:nil="true"/></parameters></SaveOutOfOfficeInfoForUser>`
	var v generated.SaveOutOfOfficeInfoForUser
	if err := decode(doc, &v, "SaveOutOfOfficeInfoForUser", xmltok.DefaultLimits); err != nil {
		t.Fatalf("Decode: %v", err)
	}
	p := v.Parameters
	if p == nil || deref(p.IsOutOfOfficeEnabled) != true || p.User == nil || deref(p.User.UserId) != int32(12) ||
		deref(p.User.UserType) != generated.WSUserTypeSystemUser || p.DelegateUsers != nil || p.DelegateUsersToAdd == nil ||
		len(p.DelegateUsersToAdd.WSUserUniversalIdentifier) != 2 || deref(p.DelegateUsersToAdd.WSUserUniversalIdentifier[1].UserName) != "y" {
		t.Errorf("Decode gave %+v", p)
	}
}

func TestDecodeErrors(t *testing.T) {
	const pu = "SavePortalUser/parameters/PortalUser"
	const item1 = pu + "/IndexDataItems/WSIndexDataItem[1]"
	oof := func(user string) string {
		return `<m:SaveOutOfOfficeInfoForUser ` + decl + `><m:parameters><t:User>` + user + `</t:User></m:parameters></m:SaveOutOfOfficeInfoForUser>`
	}
	tests := []struct {
		name     string
		doc      string
		oof      bool     // decode as SaveOutOfOfficeInfoForUser
		wantPath string   // exact Error.Path
		wantRule []string // substrings of the error message
	}{
		{
			name:     "xsi:nil on non-nillable FieldNo",
			doc:      items(`<t:WSIndexDataItem><t:StringIndexData><t:FieldNo xsi:nil="true"/><t:DataValue>x</t:DataValue></t:StringIndexData></t:WSIndexDataItem>`),
			wantPath: item1 + "/StringIndexData/FieldNo",
			wantRule: []string{"not nillable"},
		},
		{
			name:     "xsi:nil on non-nillable CtgryNo",
			doc:      portalUser(required + `<t:CtgryNo xsi:nil="true"/>`),
			wantPath: pu + "/CtgryNo",
			wantRule: []string{"not nillable"},
		},
		{
			name:     "xsi:nil on non-nillable list item",
			doc:      items(`<t:WSIndexDataItem><t:MultipleKeywordData><t:FieldNo>1</t:FieldNo><t:DataValue/><t:KeywordNos><t:KeywordNo>1</t:KeywordNo><t:KeywordNo xsi:nil="true"/></t:KeywordNos></t:MultipleKeywordData></t:WSIndexDataItem>`),
			wantPath: item1 + "/MultipleKeywordData/KeywordNos/KeywordNo[2]",
			wantRule: []string{"not nillable"},
		},
		{
			name:     "xsi:nil not a boolean",
			doc:      portalUser(`<t:Email xsi:nil="yes"/>`),
			wantPath: pu + "/Email",
			wantRule: []string{`xsi:nil="yes"`, "xs:boolean"},
		},
		{
			name:     "xsi:nil empty",
			doc:      portalUser(`<t:Email xsi:nil="">a@example.com</t:Email>`),
			wantPath: pu + "/Email",
			wantRule: []string{`xsi:nil=""`, "xs:boolean"},
		},
		{
			name:     "xsi:nil True",
			doc:      portalUser(`<t:Email xsi:nil="True"/>`),
			wantPath: pu + "/Email",
			wantRule: []string{"xs:boolean"},
		},
		{
			name:     "nil element with text",
			doc:      portalUser(`<t:Email xsi:nil="true">a@example.com</t:Email>`),
			wantPath: pu + "/Email",
			wantRule: []string{"must be empty"},
		},
		{
			name:     "nil element with a child",
			doc:      portalUser(required + `<t:Conditions xsi:nil="true"><t:WSCondition/></t:Conditions>`),
			wantPath: pu + "/Conditions",
			wantRule: []string{"must be empty", "<WSCondition>"},
		},
		{
			name:     "required FieldNo missing",
			doc:      items(`<t:WSIndexDataItem><t:StringIndexData><t:DataValue>x</t:DataValue></t:StringIndexData></t:WSIndexDataItem>`),
			wantPath: item1 + "/StringIndexData/FieldNo",
			wantRule: []string{"required element is missing"},
		},
		{
			name:     "required Email missing",
			doc:      portalUser(`<t:QueryNo>1</t:QueryNo>`),
			wantPath: pu + "/Email",
			wantRule: []string{"required element is missing"},
		},
		{
			name:     "required PortalUser missing",
			doc:      `<m:SavePortalUser ` + decl + `><m:parameters><t:IsOneTimePwd>true</t:IsOneTimePwd></m:parameters></m:SavePortalUser>`,
			wantPath: pu,
			wantRule: []string{"required element is missing"},
		},
		{
			name:     "required DataValue missing in second item",
			doc:      items(`<t:WSIndexDataItem/><t:WSIndexDataItem><t:IntIndexData><t:FieldNo>1</t:FieldNo></t:IntIndexData></t:WSIndexDataItem>`),
			wantPath: pu + "/IndexDataItems/WSIndexDataItem[2]/IntIndexData/DataValue",
			wantRule: []string{"required element is missing"},
		},
		{
			name:     "element in the wrong namespace",
			doc:      `<m:SavePortalUser ` + decl + `><m:parameters><m:PortalUser>` + required + `</m:PortalUser></m:parameters></m:SavePortalUser>`,
			wantPath: pu,
			wantRule: []string{"namespace " + nsM, "the contract puts it in namespace " + nsT},
		},
		{
			name:     "parameters in the types namespace",
			doc:      `<m:SavePortalUser ` + decl + `><t:parameters/></m:SavePortalUser>`,
			wantPath: "SavePortalUser/parameters",
			wantRule: []string{"namespace " + nsT, "namespace " + nsM},
		},
		{
			name:     "element without a namespace",
			doc:      portalUser(`<Email>a@example.com</Email>`),
			wantPath: pu + "/Email",
			wantRule: []string{"has no namespace", nsT},
		},
		{
			name:     "element with an undeclared prefix",
			doc:      portalUser(`<x:Email>a@example.com</x:Email>`),
			wantPath: pu + "/Email",
			wantRule: []string{"prefix x: is not declared", nsT},
		},
		{
			name:     "xsi:nil with an undeclared prefix",
			doc:      `<m:SavePortalUser xmlns:m="` + nsM + `" xmlns:t="` + nsT + `"><m:parameters><t:PortalUser><t:Email i:nil="true"/></t:PortalUser></m:parameters></m:SavePortalUser>`,
			wantPath: pu + "/Email",
			wantRule: []string{"prefix i: of i:nil is not declared", nsXSI},
		},
		{
			name:     "unknown element",
			doc:      portalUser(required + `<t:Password>x</t:Password>`),
			wantPath: pu,
			wantRule: []string{"unexpected element {" + nsT + "}Password", "Conditions, CtgryNo, Email"},
		},
		{
			name:     "unknown element in an empty type",
			doc:      `<m:SavePortalUser ` + decl + `><m:Other/></m:SavePortalUser>`,
			wantPath: "SavePortalUser",
			wantRule: []string{"unexpected element {" + nsM + "}Other", "allows only parameters"},
		},
		{
			name:     "duplicate element",
			doc:      portalUser(required + `<t:QueryNo>1</t:QueryNo><t:Email>b@example.com</t:Email>`),
			wantPath: pu + "/Email",
			wantRule: []string{"appears more than once"},
		},
		{
			name:     "duplicate nil element",
			doc:      portalUser(`<t:Email xsi:nil="true"/><t:Email>b@example.com</t:Email>`),
			wantPath: pu + "/Email",
			wantRule: []string{"appears more than once"},
		},
		{
			name:     "duplicate FieldNo in the base type",
			doc:      items(`<t:WSIndexDataItem><t:IntIndexData><t:FieldNo>1</t:FieldNo><t:DataValue>1</t:DataValue><t:FieldNo>2</t:FieldNo></t:IntIndexData></t:WSIndexDataItem>`),
			wantPath: item1 + "/IntIndexData/FieldNo",
			wantRule: []string{"appears more than once"},
		},
		{
			name: "list index in the path",
			doc: items(`<t:WSIndexDataItem><t:IntIndexData><t:FieldNo>1</t:FieldNo><t:DataValue>1</t:DataValue></t:IntIndexData></t:WSIndexDataItem>` +
				`<t:WSIndexDataItem><t:IntIndexData><t:FieldNo>2</t:FieldNo><t:DataValue>1.5</t:DataValue></t:IntIndexData></t:WSIndexDataItem>`),
			wantPath: pu + "/IndexDataItems/WSIndexDataItem[2]/IntIndexData/DataValue",
			wantRule: []string{`"1.5" is not a valid xs:int`},
		},
		{
			name:     "list index counts nil items",
			doc:      items(`<t:WSIndexDataItem xsi:nil="true"/><t:WSIndexDataItem xsi:nil="true"/><t:WSIndexDataItem><t:Bogus/></t:WSIndexDataItem>`),
			wantPath: pu + "/IndexDataItems/WSIndexDataItem[3]",
			wantRule: []string{"unexpected element"},
		},
		{
			name:     "child element inside a scalar",
			doc:      portalUser(`<t:Email><b>a</b>@example.com</t:Email>`),
			wantPath: pu + "/Email",
			wantRule: []string{"must hold text only", "<b>"},
		},
		{
			name:     "child element inside an int",
			doc:      portalUser(required + `<t:QueryNo>1<t:x/></t:QueryNo>`),
			wantPath: pu + "/QueryNo",
			wantRule: []string{"must hold text only"},
		},
		{
			name:     "text inside a complex type",
			doc:      portalUser(`hello` + required),
			wantPath: pu,
			wantRule: []string{`text "hello" is not allowed`},
		},
		{
			name:     "enum value not allowed",
			doc:      oof(`<t:UserName>x</t:UserName><t:UserType>Admin</t:UserType>`),
			oof:      true,
			wantPath: "SaveOutOfOfficeInfoForUser/parameters/User/UserType",
			wantRule: []string{`"Admin" is not a valid WSUserType`, "SingleUser, UserGroup, SystemUser"},
		},
		{
			name:     "enum is case sensitive",
			doc:      oof(`<t:UserType>singleuser</t:UserType>`),
			oof:      true,
			wantPath: "SaveOutOfOfficeInfoForUser/parameters/User/UserType",
			wantRule: []string{"WSUserType"},
		},
		{
			name:     "empty enum",
			doc:      portalUser(required + `<t:Conditions><t:WSCondition><t:Condition/><t:FieldNoOrName/><t:TimeZone/></t:WSCondition></t:Conditions>`),
			wantPath: pu + "/Conditions/WSCondition[1]/TimeZone",
			wantRule: []string{`"" is not a valid WSTimeZone`, "UTC, ServerLocal"},
		},
		{
			name:     "bad int",
			doc:      portalUser(required + `<t:QueryNo>abc</t:QueryNo>`),
			wantPath: pu + "/QueryNo",
			wantRule: []string{`"abc" is not a valid xs:int`},
		},
		{
			name:     "int out of range",
			doc:      oof(`<t:UserId>2147483648</t:UserId>`),
			oof:      true,
			wantPath: "SaveOutOfOfficeInfoForUser/parameters/User/UserId",
			wantRule: []string{"xs:int", "out of range"},
		},
		{
			name:     "empty int",
			doc:      portalUser(required + `<t:CtgryNo/>`),
			wantPath: pu + "/CtgryNo",
			wantRule: []string{"xs:int"},
		},
		{
			name:     "bad boolean",
			doc:      `<m:SavePortalUser ` + decl + `><m:parameters><t:IsOneTimePwd>True</t:IsOneTimePwd></m:parameters></m:SavePortalUser>`,
			wantPath: "SavePortalUser/parameters/IsOneTimePwd",
			wantRule: []string{`"True" is not a valid xs:boolean`},
		},
		{
			name:     "bad decimal",
			doc:      items(`<t:WSIndexDataItem><t:MoneyIndexData><t:FieldNo>1</t:FieldNo><t:DecimalDataValue>1e3</t:DecimalDataValue></t:MoneyIndexData></t:WSIndexDataItem>`),
			wantPath: item1 + "/MoneyIndexData/DecimalDataValue",
			wantRule: []string{"xs:decimal"},
		},
		{
			name:     "bad double",
			doc:      items(`<t:WSIndexDataItem><t:MoneyIndexData><t:FieldNo>1</t:FieldNo><t:DataValue>inf</t:DataValue></t:MoneyIndexData></t:WSIndexDataItem>`),
			wantPath: item1 + "/MoneyIndexData/DataValue",
			wantRule: []string{"xs:double"},
		},
		{
			name:     "bad dateTime",
			doc:      items(`<t:WSIndexDataItem><t:DateIndexData><t:FieldNo>1</t:FieldNo><t:DataValue>2017-13-45T99:00:00</t:DataValue></t:DateIndexData></t:WSIndexDataItem>`),
			wantPath: item1 + "/DateIndexData/DataValue",
			wantRule: []string{"xs:dateTime", "month out of range"},
		},
		{
			name:     "negative unsignedLong",
			doc:      items(`<t:WSIndexDataItem><t:AccessMask><t:Value>-1</t:Value></t:AccessMask></t:WSIndexDataItem>`),
			wantPath: item1 + "/AccessMask/Value",
			wantRule: []string{"xs:unsignedLong"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var err error
			if tt.oof {
				err = decode(tt.doc, &generated.SaveOutOfOfficeInfoForUser{}, "SaveOutOfOfficeInfoForUser", xmltok.DefaultLimits)
			} else {
				err = decode(tt.doc, &generated.SavePortalUser{}, "SavePortalUser", xmltok.DefaultLimits)
			}
			if err == nil {
				t.Fatalf("Decode(%s): got no error, want one at %s", tt.doc, tt.wantPath)
			}
			var be *xmlbind.Error
			if !errors.As(err, &be) {
				t.Fatalf("Decode: error %q is a %T, want *xmlbind.Error", err, err)
			}
			if be.Path != tt.wantPath {
				t.Errorf("Decode: error path = %q, want %q (error: %v)", be.Path, tt.wantPath, err)
			}
			if be.Line != 1 {
				t.Errorf("Decode: error line = %d, want 1", be.Line)
			}
			msg := err.Error()
			if !strings.HasPrefix(msg, tt.wantPath+": ") {
				t.Errorf("Decode: error %q does not start with the path %q", msg, tt.wantPath)
			}
			for _, w := range tt.wantRule {
				if !strings.Contains(msg, w) {
					t.Errorf("Decode: error %q does not contain %q", msg, w)
				}
			}
			if errors.Is(err, xmltok.ErrLimit) {
				t.Errorf("Decode: contract error %q wraps ErrLimit", err)
			}
		})
	}
}

func TestDecodeErrorLine(t *testing.T) {
	doc := "<m:SavePortalUser " + decl + ">\n<m:parameters>\n<t:PortalUser>\n" + required + "\n<t:QueryNo>x</t:QueryNo>\n</t:PortalUser></m:parameters></m:SavePortalUser>"
	err := decode(doc, &generated.SavePortalUser{}, "SavePortalUser", xmltok.DefaultLimits)
	var be *xmlbind.Error
	if !errors.As(err, &be) {
		t.Fatalf("Decode: error %v (%T), want *xmlbind.Error", err, err)
	}
	if be.Line != 5 || !strings.HasSuffix(err.Error(), "(line 5)") {
		t.Errorf("Decode: error %q has line %d, want line 5", err, be.Line)
	}
}

func TestDecodeMalformed(t *testing.T) {
	tests := []struct {
		name    string
		doc     string
		wantAt  string
		wantEOF bool
	}{
		{name: "truncated", doc: strings.TrimSuffix(portalUser(required), `</t:PortalUser></m:parameters></m:SavePortalUser>`), wantAt: "SavePortalUser/parameters/PortalUser", wantEOF: true},
		{name: "mismatched end tag", doc: `<m:SavePortalUser ` + decl + `><m:parameters></m:SavePortalUser>`, wantAt: "SavePortalUser/parameters"},
		{name: "unclosed text", doc: strings.TrimSuffix(portalUser(`<t:Email>a@exa`), `</t:PortalUser></m:parameters></m:SavePortalUser>`), wantAt: "SavePortalUser/parameters/PortalUser/Email", wantEOF: true},
		{name: "bad entity", doc: portalUser(`<t:Email>&bogus;</t:Email>`), wantAt: "SavePortalUser/parameters/PortalUser/Email"},
		{name: "undeclared xsi inside nil element", doc: portalUser(`<t:Email xsi:nil="true"><`), wantAt: "SavePortalUser/parameters/PortalUser/Email"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := decode(tt.doc, &generated.SavePortalUser{}, "SavePortalUser", xmltok.DefaultLimits)
			var se *xmlbind.SyntaxError
			if !errors.As(err, &se) {
				t.Fatalf("Decode(%s): error %v (%T), want *xmlbind.SyntaxError", tt.doc, err, err)
			}
			if se.At != tt.wantAt {
				t.Errorf("Decode(%s): SyntaxError.At = %q, want %q", tt.doc, se.At, tt.wantAt)
			}
			if !strings.Contains(err.Error(), "(inside "+tt.wantAt+")") {
				t.Errorf("Decode: error %q does not say where", err)
			}
			var xe *xml.SyntaxError
			if !errors.As(err, &xe) && !errors.Is(err, io.EOF) {
				t.Errorf("Decode: error %q wraps neither *xml.SyntaxError nor io.EOF", err)
			}
			if tt.wantEOF && !errors.Is(err, io.EOF) && (xe == nil || !strings.Contains(xe.Msg, "EOF")) {
				t.Errorf("Decode: error %q does not report the early end", err)
			}
			var be *xmlbind.Error
			if errors.As(err, &be) {
				t.Errorf("Decode: malformed XML reported as a contract error %q", err)
			}
		})
	}
}

func TestDecodeLimits(t *testing.T) {
	long := strings.Repeat("x", 100)
	tests := []struct {
		name   string
		doc    string
		limits xmltok.Limits
		want   string
	}{
		{
			name:   "depth",
			doc:    items(`<t:WSIndexDataItem><t:StringIndexData><t:FieldNo>1</t:FieldNo></t:StringIndexData></t:WSIndexDataItem>`),
			limits: xmltok.Limits{MaxDepth: 5},
			want:   "nested more than 5 deep",
		},
		{
			name:   "element count",
			doc:    portalUser(required + `<t:QueryNo>1</t:QueryNo><t:CtgryNo>1</t:CtgryNo>`),
			limits: xmltok.Limits{MaxElements: 5},
			want:   "more than 5 elements",
		},
		{
			name:   "element count in a list",
			doc:    items(strings.Repeat(`<t:WSIndexDataItem xsi:nil="true"/>`, 50)),
			limits: xmltok.Limits{MaxElements: 40},
			want:   "more than 40 elements",
		},
		{
			name:   "one text node",
			doc:    portalUser(`<t:Email>` + long + `</t:Email>`),
			limits: xmltok.Limits{MaxText: 64},
			want:   "longer than 64 bytes",
		},
		{
			name:   "whitespace between elements",
			doc:    portalUser(strings.Repeat(" ", 100) + required),
			limits: xmltok.Limits{MaxText: 64},
			want:   "longer than 64 bytes",
		},
		{
			name:   "text split by CDATA and comments",
			doc:    portalUser(`<t:Email>` + long[:40] + `<!-- -->` + long[:40] + `<![CDATA[` + long[:40] + `]]></t:Email>`),
			limits: xmltok.Limits{MaxText: 64},
			want:   "longer than 64 bytes",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := decode(tt.doc, &generated.SavePortalUser{}, "SavePortalUser", tt.limits)
			if !errors.Is(err, xmltok.ErrLimit) {
				t.Fatalf("Decode with %+v: error %v (%T), want one wrapping ErrLimit", tt.limits, err, err)
			}
			if !strings.Contains(err.Error(), tt.want) {
				t.Errorf("Decode with %+v: error %q does not contain %q", tt.limits, err, tt.want)
			}
			var be *xmlbind.Error
			if errors.As(err, &be) {
				t.Errorf("Decode with %+v: limit reported as a contract error %q (the SOAP layer would answer 400, not 413)", tt.limits, err)
			}
			// Just under the limits the same document decodes, or fails for
			// another reason than a limit.
			if err := decode(tt.doc, &generated.SavePortalUser{}, "SavePortalUser", xmltok.DefaultLimits); errors.Is(err, xmltok.ErrLimit) {
				t.Errorf("Decode with DefaultLimits: %v", err)
			}
		})
	}
}

func TestDecodeTextAtLimit(t *testing.T) {
	// Exactly MaxText bytes, split in pieces, is still allowed.
	doc := portalUser(`<t:Email>` + strings.Repeat("a", 32) + `<!-- -->` + strings.Repeat("b", 32) + `</t:Email>`)
	var v generated.SavePortalUser
	if err := decode(doc, &v, "SavePortalUser", xmltok.Limits{MaxText: 64}); err != nil {
		t.Fatalf("Decode of 64 bytes of text with MaxText 64: %v", err)
	}
	if got := len(*v.Parameters.PortalUser.Email); got != 64 {
		t.Errorf("Email has %d bytes, want 64", got)
	}
}

func TestDirectiveRefused(t *testing.T) {
	tests := []struct {
		name string
		doc  string
	}{
		{name: "DOCTYPE before the root", doc: `<?xml version="1.0"?><!DOCTYPE m:SavePortalUser [<!ENTITY x "y">]>` + portalUser(required)},
		{name: "DOCTYPE inside an element", doc: portalUser(`<!DOCTYPE x>` + required)},
		{name: "DOCTYPE inside text", doc: portalUser(`<t:Email>a<!DOCTYPE x></t:Email>`)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var v generated.SavePortalUser
			err := decode(tt.doc, &v, "SavePortalUser", xmltok.DefaultLimits)
			if err == nil || !strings.Contains(err.Error(), "DOCTYPE") {
				t.Fatalf("Decode(%s): error %v, want one refusing the DOCTYPE", tt.doc, err)
			}
		})
	}
}

func TestDecodeNeedsStructPointer(t *testing.T) {
	var s generated.SavePortalUser
	var nilPtr *generated.SavePortalUser
	n := 1
	tests := []struct {
		name string
		v    any
	}{
		{name: "struct value", v: s},
		{name: "nil pointer", v: nilPtr},
		{name: "pointer to int", v: &n},
		{name: "nil", v: nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := xmltok.NewReaderBytes([]byte("<a/>"), xmltok.DefaultLimits)
			if _, err := xmlbind.Decode(r, xml.StartElement{}, tt.v, "x", xmlbind.Options{}); err == nil || !strings.Contains(err.Error(), "pointer to a struct") {
				t.Errorf("Decode(%T): error %v, want one asking for a pointer to a struct", tt.v, err)
			}
		})
	}
}

func TestDecodeText(t *testing.T) {
	tests := []struct {
		name    string
		doc     string
		want    string
		wantErr string
	}{
		{name: "plain", doc: `<a>urn:x</a>`, want: "urn:x"},
		{name: "empty", doc: `<a/>`, want: ""},
		{name: "CDATA and comment", doc: `<a> x<!--c--><![CDATA[<y>]]></a>`, want: " x<y>"},
		{name: "child element", doc: `<a>x<b/></a>`, wantErr: "Header: must hold text only"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := xmltok.NewReaderBytes([]byte(tt.doc), xmltok.DefaultLimits)
			if _, err := r.Token(); err != nil {
				t.Fatalf("Token: %v", err)
			}
			var s string
			err := xmlbind.DecodeText(r, &s)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("DecodeText(%s): error %v, want %q", tt.doc, err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatalf("DecodeText(%s): %v", tt.doc, err)
			}
			if s != tt.want {
				t.Errorf("DecodeText(%s) = %q, want %q", tt.doc, s, tt.want)
			}
		})
	}
}

// FuzzDecode feeds arbitrary bytes to Decode as a SavePortalUser body: it
// must return, with a value or an error, and never panic.
func FuzzDecode(f *testing.F) {
	for _, s := range []string{
		portalUser(required),
		portalUser(`<t:Email xsi:nil="true"/><t:QueryNo> 7 </t:QueryNo>`),
		items(`<t:WSIndexDataItem><t:StringIndexData><t:FieldNo>1</t:FieldNo><t:DataValue><![CDATA[x]]></t:DataValue></t:StringIndexData></t:WSIndexDataItem><t:WSIndexDataItem xsi:nil="1"/>`),
		items(`<t:WSIndexDataItem><t:MoneyIndexData><t:FieldNo>1</t:FieldNo><t:DecimalDataValue>1.50</t:DecimalDataValue><t:DataValue>NaN</t:DataValue></t:MoneyIndexData></t:WSIndexDataItem>`),
		`<SavePortalUser xmlns="` + nsM + `"><parameters><PortalUser xmlns="` + nsT + `"><Email/></PortalUser></parameters></SavePortalUser>`,
		`<!DOCTYPE x><x/>`,
		`<a><b>`,
		``,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		r := xmltok.NewReaderBytes(b, xmltok.Limits{MaxDepth: 32, MaxElements: 1000, MaxText: 4096})
		for {
			tok, err := r.Token()
			if err != nil {
				return
			}
			if start, ok := tok.(xml.StartElement); ok {
				var v generated.SavePortalUser
				_, err := xmlbind.Decode(r, start, &v, "SavePortalUser", xmlbind.Options{})
				var be *xmlbind.Error
				if errors.As(err, &be) && !strings.HasPrefix(be.Path, "SavePortalUser") {
					t.Fatalf("Decode: error path %q does not start at the wrapper", be.Path)
				}
				return
			}
		}
	})
}

// TestDecodeLenient: unknown elements are skipped and reported by path
// (without list positions), known members in another namespace still
// fault, and an alias is decoded and handed back.
func TestDecodeLenient(t *testing.T) {
	alias := xmlbind.Alias{In: reflect.TypeFor[generated.WSPortalUser](), Name: xml.Name{Space: nsT, Local: "IsOneTimePwd"}, Type: reflect.TypeFor[*bool](), Nillable: true}
	tests := []struct {
		name    string
		doc     string
		skipped []string
		found   []string // path=value
		wantErr string
	}{
		{name: "unknown members at three levels",
			doc:     `<m:SavePortalUser ` + decl + `><m:New/><m:parameters><t:PortalUser><t:Email>a@example.com</t:Email><t:Extra><t:Deep>1</t:Deep></t:Extra><t:IndexDataItems><t:WSIndexDataItem><t:Newer/></t:WSIndexDataItem><t:WSIndexDataItem><t:Newer/></t:WSIndexDataItem></t:IndexDataItems></t:PortalUser></m:parameters></m:SavePortalUser>`,
			skipped: []string{"SavePortalUser/New", "SavePortalUser/parameters/PortalUser/Extra", "SavePortalUser/parameters/PortalUser/IndexDataItems/WSIndexDataItem/Newer", "SavePortalUser/parameters/PortalUser/IndexDataItems/WSIndexDataItem/Newer"}},
		{name: "a known member in another namespace still faults",
			doc:     portalUser(required + `<m:QueryNo>1</m:QueryNo>`),
			wantErr: "the contract puts it in namespace " + nsT},
		{name: "unknown element with malformed content is still a syntax error",
			doc:     portalUser(required + `<t:Extra><t:a></t:Extra>`),
			wantErr: "t:a"},
		{name: "alias",
			doc:   portalUser(required + `<t:IsOneTimePwd>1</t:IsOneTimePwd>`),
			found: []string{"SavePortalUser/parameters/PortalUser/IsOneTimePwd=true"}},
		{name: "nil alias",
			doc:   portalUser(required + `<t:IsOneTimePwd xsi:nil="true"/>`),
			found: []string{"SavePortalUser/parameters/PortalUser/IsOneTimePwd=nil"}},
		{name: "alias twice",
			doc:     portalUser(required + `<t:IsOneTimePwd>1</t:IsOneTimePwd><t:IsOneTimePwd>0</t:IsOneTimePwd>`),
			wantErr: "appears more than once"},
		{name: "alias of the wrong type",
			doc:     portalUser(required + `<t:IsOneTimePwd>yes</t:IsOneTimePwd>`),
			wantErr: "SavePortalUser/parameters/PortalUser/IsOneTimePwd"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var skipped, found []string
			r := xmltok.NewReaderBytes([]byte(tt.doc), xmltok.DefaultLimits)
			var err error
			for {
				tok, terr := r.Token()
				if terr != nil {
					t.Fatal(terr)
				}
				if start, ok := tok.(xml.StartElement); ok {
					var v generated.SavePortalUser
					var fs []xmlbind.Found
					fs, err = xmlbind.Decode(r, start, &v, "SavePortalUser", xmlbind.Options{Aliases: []xmlbind.Alias{alias},
						Skipped: func(p string) { skipped = append(skipped, p) }})
					for _, f := range fs {
						val := "nil"
						if p := f.Value.Interface().(*bool); p != nil {
							val = fmt.Sprint(*p)
						}
						found = append(found, f.Path+"="+val)
					}
					break
				}
			}
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("error %v, want one containing %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if fmt.Sprint(skipped) != fmt.Sprint(tt.skipped) {
				t.Errorf("skipped %q, want %q", skipped, tt.skipped)
			}
			if fmt.Sprint(found) != fmt.Sprint(tt.found) {
				t.Errorf("found %q, want %q", found, tt.found)
			}
		})
	}
}

// TestDecodeManyItems decodes enough items that their members come from
// slabs of several sizes, and checks that every item has values of its own:
// a slab handing out one value twice would show as an item with another's
// numbers, or as two items sharing a pointer.
func TestDecodeManyItems(t *testing.T) {
	const n = 1500
	var sb strings.Builder
	for i := range n {
		fmt.Fprintf(&sb, `<t:WSIndexDataItem><t:IntIndexData><t:FieldNo>%d</t:FieldNo><t:DataValue>%d</t:DataValue><t:FieldName>f%d</t:FieldName></t:IntIndexData></t:WSIndexDataItem>`, i, 3*i, i)
	}
	u := decodePortalUser(t, items(sb.String()))
	got := u.IndexDataItems.WSIndexDataItem
	if len(got) != n {
		t.Fatalf("%d items, want %d", len(got), n)
	}
	seen := map[any]int{}
	for i, it := range got {
		d := it.IntIndexData
		if d == nil || d.WSIndexDataBase == nil || d.DataValue == nil || d.FieldName == nil {
			t.Fatalf("item %d: a member is missing: %+v", i, d)
		}
		if d.FieldNo != int32(i) || *d.DataValue != int32(3*i) || *d.FieldName != fmt.Sprintf("f%d", i) {
			t.Fatalf("item %d: FieldNo=%d DataValue=%d FieldName=%s", i, d.FieldNo, *d.DataValue, *d.FieldName)
		}
		for _, p := range []any{it, d, d.WSIndexDataBase, d.DataValue, d.FieldName} {
			if j, ok := seen[p]; ok {
				t.Fatalf("items %d and %d share the pointer %p", j, i, p)
			}
			seen[p] = i
		}
	}
}

package main

import (
	"bytes"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"
)

// Envelope is one SOAP request every contender is fed.
type Envelope struct {
	Name   string // short, for tables and file names
	Label  string // for people
	Action string // SOAPAction
	Body   []byte
}

const (
	nsMessages = "http://schemas.therefore.net/webservices/interop/v0001/messages"
	actionBase = nsMessages + "/IThereforeService/"
)

// Header returns the HTTP headers a WCF client sends with e (SOAP 1.1).
func (e Envelope) Header() http.Header {
	return http.Header{
		"Content-Type": {"text/xml; charset=utf-8"},
		"Soapaction":   {`"` + e.Action + `"`},
	}
}

// loadEnvelopes returns the benchmark's envelopes: the realistic OOF call a
// WCF client sent (testdata/soap/ok/wcf-oof-11) and SavePortalUser with
// 10 and with 10,000 IndexDataItems, generated.
func loadEnvelopes(root string) ([]Envelope, error) {
	oof, err := os.ReadFile(filepath.Join(root, "testdata", "soap", "ok", "wcf-oof-11", "request.xml"))
	if err != nil {
		return nil, err
	}
	return []Envelope{
		{Name: "oof", Label: "SaveOutOfOfficeInfoForUser (WCF, testdata/soap/ok/wcf-oof-11)", Action: actionBase + "SaveOutOfOfficeInfoForUser", Body: oof},
		portalEnvelope(10),
		portalEnvelope(10000),
	}, nil
}

// portalEnvelope returns a SavePortalUser envelope, WCF-shaped like
// testdata/soap/ok/wcf-portaluser-11, with n IndexDataItems cycling through
// every kind of index data (each with its own FieldNo).
func portalEnvelope(n int) Envelope {
	var b bytes.Buffer
	b.Grow(n*700 + 1024)
	b.WriteString(`<s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/"><s:Body><SavePortalUser xmlns="` + nsMessages + `">` +
		`<parameters xmlns:a="http://schemas.therefore.net/webservices/interop/v0001/types" xmlns:i="http://www.w3.org/2001/XMLSchema-instance">` +
		`<a:IsOneTimePwd>true</a:IsOneTimePwd><a:PortalUser><a:Conditions><a:WSCondition><a:Condition>10023</a:Condition>` +
		`<a:FieldNoOrName>CustomerNo</a:FieldNoOrName><a:TimeZone>UTC</a:TimeZone></a:WSCondition></a:Conditions>` +
		`<a:CtgryNo>0</a:CtgryNo><a:Email>jane.roe@example.com</a:Email><a:IndexDataItems>`)
	for i := range n {
		writeItem(&b, i)
	}
	b.WriteString(`</a:IndexDataItems><a:QueryNo>12</a:QueryNo><a:UserName>jroe</a:UserName><a:UserPwd>Tmp-7431-xq</a:UserPwd>` +
		`</a:PortalUser></parameters></SavePortalUser></s:Body></s:Envelope>`)
	label := fmt.Sprintf("SavePortalUser, %s IndexDataItems (generated)", thousands(int64(n)))
	return Envelope{Name: fmt.Sprintf("portal-%d", n), Label: label, Action: actionBase + "SavePortalUser", Body: b.Bytes()}
}

// itemKinds are the members of WSIndexDataItem, in the contract's order;
// an item sets one of them and sends the others as i:nil, as WCF does.
var itemKinds = []string{"DateIndexData", "DateTimeIndexData", "IntIndexData", "LogicalIndexData", "MoneyIndexData",
	"MultipleKeywordData", "SingleKeywordData", "StringIndexData", "TableIndexData"}

// writeItem writes the i-th WSIndexDataItem.
func writeItem(b *bytes.Buffer, i int) {
	kind := i % len(itemKinds)
	field := 100 + i
	b.WriteString(`<a:WSIndexDataItem><a:AccessMask i:nil="true"/>`)
	for k, name := range itemKinds {
		if k != kind {
			fmt.Fprintf(b, `<a:%s i:nil="true"/>`, name)
			continue
		}
		fmt.Fprintf(b, `<a:%s><a:FieldNo>%d</a:FieldNo>`, name, field)
		switch name {
		case "DateIndexData":
			fmt.Fprintf(b, `<a:DataISO8601Value i:nil="true"/><a:DataValue>2023-01-%02dT00:00:00</a:DataValue><a:FieldName>Date%d</a:FieldName>`, i%28+1, i)
		case "DateTimeIndexData":
			fmt.Fprintf(b, `<a:DataISO8601Value>2018-05-03T14:%02d:00Z</a:DataISO8601Value><a:DataValue i:nil="true"/><a:FieldName i:nil="true"/>`, i%60)
		case "IntIndexData":
			fmt.Fprintf(b, `<a:DataValue>%d</a:DataValue><a:FieldName i:nil="true"/>`, 10000+i)
		case "LogicalIndexData":
			fmt.Fprintf(b, `<a:DataValue>%t</a:DataValue><a:FieldName i:nil="true"/>`, i%2 == 0)
		case "MoneyIndexData":
			fmt.Fprintf(b, `<a:DataValue i:nil="true"/><a:DecimalDataValue>%d.95</a:DecimalDataValue><a:FieldName i:nil="true"/>`, i)
		case "MultipleKeywordData":
			b.WriteString(`<a:DataValue><a:Keyword>Contracts</a:Keyword><a:Keyword>Invoices</a:Keyword></a:DataValue><a:FieldName i:nil="true"/>` +
				`<a:KeywordNos><a:KeywordNo>3</a:KeywordNo><a:KeywordNo>8</a:KeywordNo></a:KeywordNos>`)
		case "SingleKeywordData":
			fmt.Fprintf(b, `<a:DataValue>Tier %d</a:DataValue><a:FieldName>Tier_Text</a:FieldName>`, i%5)
		case "StringIndexData":
			fmt.Fprintf(b, `<a:DataValue>Roe Consulting LLC, branch %d</a:DataValue><a:FieldName i:nil="true"/>`, i)
		case "TableIndexData":
			fmt.Fprintf(b, `<a:DataValue><a:WSTableFieldDataRow><a:AccessIsEditableRow i:nil="true"/><a:DataRowItems>`+
				`<a:WSTableFieldDataRowItem><a:AccessMask i:nil="true"/><a:DateIndexData i:nil="true"/><a:DateTimeIndexData i:nil="true"/>`+
				`<a:IntIndexData i:nil="true"/><a:LogicalIndexData i:nil="true"/><a:MoneyIndexData i:nil="true"/><a:SingleKeywordData i:nil="true"/>`+
				`<a:StringIndexData><a:FieldNo>45</a:FieldNo><a:DataValue>Main Street %d, Springfield</a:DataValue><a:FieldName i:nil="true"/></a:StringIndexData>`+
				`</a:WSTableFieldDataRowItem></a:DataRowItems><a:RowNo>0</a:RowNo></a:WSTableFieldDataRow></a:DataValue><a:FieldName i:nil="true"/>`, i)
		}
		fmt.Fprintf(b, `</a:%s>`, name)
	}
	b.WriteString(`</a:WSIndexDataItem>`)
}

// thousands formats n with commas: 10000 -> "10,000".
func thousands(n int64) string {
	s := fmt.Sprint(n)
	if n < 0 {
		return "-" + thousands(-n)
	}
	var out strings.Builder
	for i, c := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			out.WriteByte(',')
		}
		out.WriteRune(c)
	}
	return out.String()
}

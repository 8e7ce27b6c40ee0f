// Package wcfsample builds the SOAP requests a WCF client of the Therefore
// service sends, at any size, for the benchmarks: WCF writes every member
// of a data contract, the unset ones as i:nil, so its requests are the
// most verbose the bridge meets.
package wcfsample

import (
	"bytes"
	"fmt"
)

// SavePortalUserAction is the SOAPAction of SavePortalUser.
const SavePortalUserAction = nsMessages + "/IThereforeService/SavePortalUser"

const nsMessages = "http://schemas.therefore.net/webservices/interop/v0001/messages"

// SavePortalUser returns a SOAP 1.1 SavePortalUser envelope, WCF-shaped
// like testdata/soap/ok/wcf-portaluser-11, with n IndexDataItems cycling
// through every kind of index data (each with its own FieldNo). 10,000
// items make 5.6 MB.
func SavePortalUser(n int) []byte {
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
	return b.Bytes()
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

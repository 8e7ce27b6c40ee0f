package fake

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"regexp"
)

// The REST bodies as Therefore's WCF JSON serializer reads them: lists are
// JSON arrays, enums are numbers, dates are "/Date(ms)/", decimals are JSON
// numbers. These shapes are the fake's own model of the REST contract (from
// the operation pages), independent of the bridge's generated types, so
// that an encoder bug shows up as a 400 here.

type oofParams struct {
	DelegateUsers         []*userID `json:"DelegateUsers"`
	DelegateUsersToAdd    []*userID `json:"DelegateUsersToAdd"`
	DelegateUsersToDelete []*userID `json:"DelegateUsersToDelete"`
	IsOutOfOfficeEnabled  *bool     `json:"IsOutOfOfficeEnabled"`
	User                  *userID   `json:"User"`
}

type userID struct {
	DomainName *string   `json:"DomainName"`
	UserId     *int32    `json:"UserId"`
	UserName   *string   `json:"UserName"`
	UserType   *userType `json:"UserType"`
}

type portalParams struct {
	IsOneTimePwd *bool       `json:"IsOneTimePwd"`
	PortalUser   *portalUser `json:"PortalUser"`
}

type portalUser struct {
	Conditions     []*condition     `json:"Conditions"`
	CtgryNo        int32            `json:"CtgryNo"`
	Email          *string          `json:"Email"`
	IndexDataItems []*indexDataItem `json:"IndexDataItems"`
	QueryNo        int32            `json:"QueryNo"`
	UserName       *string          `json:"UserName"`
	UserPwd        *string          `json:"UserPwd"`
}

type condition struct {
	Condition     *string   `json:"Condition"`
	FieldNoOrName *string   `json:"FieldNoOrName"`
	TimeZone      *timeZone `json:"TimeZone"`
}

// rowItem is a table cell: any index data but tables and multiple keywords.
type rowItem struct {
	AccessMask        *accessMask  `json:"AccessMask"`
	DateIndexData     *dateData    `json:"DateIndexData"`
	DateTimeIndexData *dateData    `json:"DateTimeIndexData"`
	IntIndexData      *intData     `json:"IntIndexData"`
	LogicalIndexData  *logicalData `json:"LogicalIndexData"`
	MoneyIndexData    *moneyData   `json:"MoneyIndexData"`
	SingleKeywordData *stringData  `json:"SingleKeywordData"`
	StringIndexData   *stringData  `json:"StringIndexData"`
}

type indexDataItem struct {
	rowItem
	MultipleKeywordData *keywordsData `json:"MultipleKeywordData"`
	TableIndexData      *tableData    `json:"TableIndexData"`
}

type accessMask struct {
	Value uint64 `json:"Value"`
}

type dateData struct {
	FieldNo          int32    `json:"FieldNo"`
	DataISO8601Value *string  `json:"DataISO8601Value"`
	DataValue        *wcfDate `json:"DataValue"`
	FieldName        *string  `json:"FieldName"`
}

type intData struct {
	FieldNo   int32   `json:"FieldNo"`
	DataValue *int32  `json:"DataValue"`
	FieldName *string `json:"FieldName"`
}

type logicalData struct {
	FieldNo   int32   `json:"FieldNo"`
	DataValue *bool   `json:"DataValue"`
	FieldName *string `json:"FieldName"`
}

type moneyData struct {
	FieldNo          int32    `json:"FieldNo"`
	DataValue        *float64 `json:"DataValue"`
	DecimalDataValue *decimal `json:"DecimalDataValue"`
	FieldName        *string  `json:"FieldName"`
}

type stringData struct {
	FieldNo   int32   `json:"FieldNo"`
	DataValue *string `json:"DataValue"`
	FieldName *string `json:"FieldName"`
}

type keywordsData struct {
	FieldNo    int32     `json:"FieldNo"`
	DataValue  []*string `json:"DataValue"`
	FieldName  *string   `json:"FieldName"`
	KeywordNos []int32   `json:"KeywordNos"`
}

type tableData struct {
	FieldNo   int32       `json:"FieldNo"`
	DataValue []*tableRow `json:"DataValue"`
	FieldName *string     `json:"FieldName"`
}

type tableRow struct {
	AccessIsEditableRow *bool      `json:"AccessIsEditableRow"`
	DataRowItems        []*rowItem `json:"DataRowItems"`
	RowNo               *int32     `json:"RowNo"`
}

// userType and timeZone read an enum as DataContractJsonSerializer does:
// its number only ("SingleUser (1)", "UTC (0)" on the operation pages).
type userType int32
type timeZone int32

func (u *userType) UnmarshalJSON(b []byte) error {
	n, err := enumNumber(b, "UserType", 1, 3)
	*u = userType(n)
	return err
}

func (z *timeZone) UnmarshalJSON(b []byte) error {
	n, err := enumNumber(b, "TimeZone", 0, 1)
	*z = timeZone(n)
	return err
}

func enumNumber(b []byte, name string, lo, hi int32) (int32, error) {
	var n int32
	if err := json.Unmarshal(b, &n); err != nil || n < lo || n > hi {
		return 0, fmt.Errorf("%s: %s is not a value of the enum (expected a number %d..%d)", name, b, lo, hi)
	}
	return n, nil
}

// wcfDate reads a DateTime as DataContractJsonSerializer writes it:
// "/Date(ms)/" or "/Date(ms+hhmm)/".
type wcfDate int64

var wcfDateForm = regexp.MustCompile(`^/Date\((-?\d+)([+-]\d{4})?\)/$`)

func (d *wcfDate) UnmarshalJSON(b []byte) error {
	var s string
	if err := json.Unmarshal(b, &s); err != nil {
		return fmt.Errorf("DataValue: %s is not a date string", b)
	}
	m := wcfDateForm.FindStringSubmatch(s)
	if m == nil {
		return fmt.Errorf("DataValue: %q is not a JSON date (expected /Date(ms)/)", s)
	}
	var ms int64
	if _, err := fmt.Sscan(m[1], &ms); err != nil {
		return fmt.Errorf("DataValue: %q: %v", s, err)
	}
	*d = wcfDate(ms)
	return nil
}

// decimal is an xs:decimal: a JSON number, never a string.
type decimal json.Number

func (d *decimal) UnmarshalJSON(b []byte) error {
	var n json.Number
	if len(b) == 0 || b[0] == '"' || json.Unmarshal(b, &n) != nil {
		return fmt.Errorf("DecimalDataValue: %s is not a number", b)
	}
	*d = decimal(n)
	return nil
}

// decodeStrict reads exactly one JSON value into v; unknown members and
// trailing data are errors, as for a data contract.
func decodeStrict(body []byte, v any) error {
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return err
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return errors.New("data after the JSON object")
	}
	return nil
}

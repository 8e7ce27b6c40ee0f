package contract

import (
	"fmt"
	"regexp"
	"strings"
	"time"

	"github.com/thereforebridge/thereforebridge/bridge/xsd"
	"github.com/thereforebridge/thereforebridge/generated"
)

// Violation is a broken rule at an element path; it becomes a Client fault.
type Violation struct {
	Path string
	Rule string
}

func (v *Violation) Error() string { return v.Path + ": " + v.Rule }

// Validate checks a decoded request body against the rules on Therefore's
// pages. The decoder has already enforced the schema (types, enums,
// required and nillable), so only the rules beyond it are here.
func Validate(body any) error {
	switch b := body.(type) {
	case *generated.SaveOutOfOfficeInfoForUser:
		return validateOOF(b)
	case *generated.SavePortalUser:
		return validatePortalUser(b)
	}
	return fmt.Errorf("contract: no rules for %T", body)
}

func violation(path, format string, args ...any) error {
	return &Violation{Path: path, Rule: fmt.Sprintf(format, args...)}
}

func validateOOF(b *generated.SaveOutOfOfficeInfoForUser) error {
	const root = SaveOutOfOfficeInfoForUser + "/parameters"
	p := b.Parameters
	if p == nil {
		return violation(root, "parameters is required (send an empty <parameters/> to change nothing)")
	}
	if p.User != nil {
		if err := checkUser(root+"/User", p.User); err != nil {
			return err
		}
	}
	lists := []struct {
		name string
		list *generated.ArrayOfWSUserUniversalIdentifier
	}{{"DelegateUsers", p.DelegateUsers}, {"DelegateUsersToAdd", p.DelegateUsersToAdd}, {"DelegateUsersToDelete", p.DelegateUsersToDelete}}
	for _, l := range lists {
		if l.list == nil {
			continue
		}
		for i, u := range l.list.WSUserUniversalIdentifier {
			path := fmt.Sprintf("%s/%s/WSUserUniversalIdentifier[%d]", root, l.name, i+1)
			if u == nil {
				return violation(path, "a delegate user must not be nil")
			}
			if err := checkUser(path, u); err != nil {
				return err
			}
		}
	}
	return nil
}

func checkUser(path string, u *generated.WSUserUniversalIdentifier) error {
	if u.UserId == nil && (u.UserName == nil || strings.TrimSpace(*u.UserName) == "") {
		return violation(path, "set UserId (Therefore users) or UserName with DomainName (other users)")
	}
	if u.UserId != nil && *u.UserId <= 0 {
		return violation(path+"/UserId", "must be > 0, got %d", *u.UserId)
	}
	return nil
}

func validatePortalUser(b *generated.SavePortalUser) error {
	const root = SavePortalUser + "/parameters"
	p := b.Parameters
	if p == nil {
		return violation(root, "parameters is required")
	}
	u := p.PortalUser
	if u == nil {
		return violation(root+"/PortalUser", "PortalUser is mandatory and must not be nil")
	}
	up := root + "/PortalUser"
	if u.Email == nil || strings.TrimSpace(*u.Email) == "" {
		return violation(up+"/Email", "Email is mandatory and must not be nil or empty")
	}
	if u.QueryNo < 0 {
		return violation(up+"/QueryNo", "must not be negative, got %d", u.QueryNo)
	}
	if u.CtgryNo < 0 {
		return violation(up+"/CtgryNo", "must not be negative, got %d", u.CtgryNo)
	}
	if u.QueryNo <= 0 && u.CtgryNo <= 0 {
		return violation(up+"/QueryNo", "one of QueryNo or CtgryNo must be specified with a value > 0 (both are 0)")
	}
	if u.Conditions != nil {
		for i, c := range u.Conditions.WSCondition {
			if c == nil {
				return violation(fmt.Sprintf("%s/Conditions/WSCondition[%d]", up, i+1), "a condition must not be nil")
			}
		}
	}
	if u.IndexDataItems != nil {
		for i, item := range u.IndexDataItems.WSIndexDataItem {
			// The path is built only when needed: 10,000 items are common.
			if err := checkItem(lazyPath{up + "/IndexDataItems/WSIndexDataItem", i + 1}, item); err != nil {
				return err
			}
		}
	}
	return nil
}

// variant is one IndexData member of an item, seen through what all
// variants share.
type variant struct {
	name      string
	base      *generated.WSIndexDataBase
	fieldName *string
	check     func(path string) error
}

// lazyPath is a list item's element path, formatted only for a violation.
type lazyPath struct {
	list  string
	index int
}

func (p lazyPath) String() string { return fmt.Sprintf("%s[%d]", p.list, p.index) }

func checkItem(lp lazyPath, item *generated.WSIndexDataItem) error {
	if item == nil {
		return violation(lp.String(), "an index data item must not be nil")
	}
	return checkVariants(lp, variants(item.DateIndexData, item.DateTimeIndexData, item.IntIndexData,
		item.LogicalIndexData, item.MoneyIndexData, item.MultipleKeywordData, item.SingleKeywordData,
		item.StringIndexData, item.TableIndexData))
}

func checkRowItem(lp lazyPath, item *generated.WSTableFieldDataRowItem) error {
	if item == nil {
		return violation(lp.String(), "a row item must not be nil")
	}
	// A table cell cannot hold multiple keywords or another table.
	return checkVariants(lp, variants(item.DateIndexData, item.DateTimeIndexData, item.IntIndexData,
		item.LogicalIndexData, item.MoneyIndexData, nil, item.SingleKeywordData, item.StringIndexData, nil))
}

// variants lists the members that are set, in contract order.
func variants(date *generated.WSIndexDataDate, dateTime *generated.WSIndexDataDateTime, i *generated.WSIndexDataInt,
	logical *generated.WSIndexDataLogical, money *generated.WSIndexDataMoney, multi *generated.WSIndexDataMultipleKeyword,
	single *generated.WSIndexDataSingleKeyword, s *generated.WSIndexDataString, table *generated.WSIndexDataTable) []variant {
	vs := make([]variant, 0, 1) // one is the valid case
	if date != nil {
		vs = append(vs, variant{"DateIndexData", date.WSIndexDataBase, date.FieldName, func(p string) error { return checkDate(p, date.DataValue, date.DataISO8601Value, false) }})
	}
	if dateTime != nil {
		vs = append(vs, variant{"DateTimeIndexData", dateTime.WSIndexDataBase, dateTime.FieldName, func(p string) error {
			return checkDate(p, dateTime.DataValue, dateTime.DataISO8601Value, true)
		}})
	}
	if i != nil {
		vs = append(vs, variant{"IntIndexData", i.WSIndexDataBase, i.FieldName, nil})
	}
	if logical != nil {
		vs = append(vs, variant{"LogicalIndexData", logical.WSIndexDataBase, logical.FieldName, nil})
	}
	if money != nil {
		vs = append(vs, variant{"MoneyIndexData", money.WSIndexDataBase, money.FieldName, nil})
	}
	if multi != nil {
		vs = append(vs, variant{"MultipleKeywordData", multi.WSIndexDataBase, multi.FieldName, nil})
	}
	if single != nil {
		vs = append(vs, variant{"SingleKeywordData", single.WSIndexDataBase, single.FieldName, nil})
	}
	if s != nil {
		vs = append(vs, variant{"StringIndexData", s.WSIndexDataBase, s.FieldName, nil})
	}
	if table != nil {
		vs = append(vs, variant{"TableIndexData", table.WSIndexDataBase, table.FieldName, func(p string) error { return checkTable(p, table.DataValue) }})
	}
	return vs
}

func checkVariants(lp lazyPath, vs []variant) error {
	if len(vs) == 1 && vs[0].check == nil && vs[0].base != nil && vs[0].base.FieldNo > 0 {
		return nil // the common case, decided without formatting a path
	}
	path := lp.String()
	switch len(vs) {
	case 0:
		return violation(path, "holds no index data; set exactly one of DateIndexData, DateTimeIndexData, IntIndexData, LogicalIndexData, MoneyIndexData, MultipleKeywordData, SingleKeywordData, StringIndexData, TableIndexData")
	case 1:
	default:
		names := make([]string, len(vs))
		for i, v := range vs {
			names[i] = v.name
		}
		return violation(path, "holds %s; exactly one index data value is allowed per item", strings.Join(names, " and "))
	}
	v := vs[0]
	p := path + "/" + v.name
	fieldNo := int32(0)
	if v.base != nil {
		fieldNo = v.base.FieldNo
	}
	if fieldNo < 0 {
		return violation(p+"/FieldNo", "must be >= 0, got %d", fieldNo)
	}
	if fieldNo == 0 && (v.fieldName == nil || strings.TrimSpace(*v.fieldName) == "") {
		return violation(p+"/FieldName", "FieldNo is 0, so FieldName must name the field")
	}
	if v.check != nil {
		return v.check(p)
	}
	return nil
}

var (
	isoDate     = regexp.MustCompile(`^\d{4}-\d{2}-\d{2}$`)
	isoDateTime = regexp.MustCompile(`^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$`)
)

func checkDate(path string, value *xsd.DateTime, iso *string, withTime bool) error {
	if iso != nil && *iso != "" {
		s := strings.TrimSpace(*iso)
		if withTime {
			if !isoDateTime.MatchString(s) {
				return violation(path+"/DataISO8601Value", "%q is not an ISO 8601 UTC date time (example 2018-05-03T14:45:00Z)", s)
			}
			if !strings.HasSuffix(s, "Z") && !strings.HasSuffix(s, "+00:00") && !strings.HasSuffix(s, "-00:00") {
				return violation(path+"/DataISO8601Value", "%q is not in UTC; Therefore takes DateTime values as UTC only (example 2018-05-03T14:45:00Z)", s)
			}
			if _, err := time.Parse("2006-01-02T15:04Z07:00", s); err == nil {
				return nil
			}
			if _, err := time.Parse(time.RFC3339Nano, s); err != nil {
				return violation(path+"/DataISO8601Value", "%q is not a valid date time", s)
			}
			return nil
		}
		if !isoDate.MatchString(s) {
			return violation(path+"/DataISO8601Value", "%q is not an ISO 8601 date; use YYYY-MM-DD (example 2017-07-23)", s)
		}
		if _, err := xsd.ParseDateTime(s + "T00:00:00"); err != nil {
			return violation(path+"/DataISO8601Value", "%q is not a calendar date", s)
		}
		return nil // DataValue is ignored when DataISO8601Value is set
	}
	if value != nil && value.HasZone() && !value.IsUTC() {
		return violation(path+"/DataValue", "%q has a zone offset; send it without a zone or as UTC (Z)", value.String())
	}
	return nil
}

func checkTable(path string, rows *generated.ArrayOfWSTableFieldDataRow) error {
	if rows == nil {
		return nil
	}
	for i, row := range rows.WSTableFieldDataRow {
		rp := fmt.Sprintf("%s/DataValue/WSTableFieldDataRow[%d]", path, i+1)
		if row == nil {
			return violation(rp, "a table row must not be nil")
		}
		if row.RowNo != nil && *row.RowNo < 0 {
			return violation(rp+"/RowNo", "must be >= 0 (rows start at 0), got %d", *row.RowNo)
		}
		if row.DataRowItems == nil {
			continue // nil items delete the row with this RowNo
		}
		for j, item := range row.DataRowItems.WSTableFieldDataRowItem {
			if err := checkRowItem(lazyPath{rp + "/DataRowItems/WSTableFieldDataRowItem", j + 1}, item); err != nil {
				return err
			}
		}
	}
	return nil
}

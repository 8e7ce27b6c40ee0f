package contract

import (
	"fmt"
	"regexp"
	"strconv"
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
		if v := checkUser(p.User); v != nil {
			v.Path = root + "/User" + v.Path
			return v
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
			// The path is made for a violation only: every call has
			// delegates, few have a wrong one.
			path := func() string { return fmt.Sprintf("%s/%s/WSUserUniversalIdentifier[%d]", root, l.name, i+1) }
			if u == nil {
				return violation(path(), "a delegate user must not be nil")
			}
			if v := checkUser(u); v != nil {
				v.Path = path() + v.Path
				return v
			}
		}
	}
	return nil
}

// checkUser returns what is wrong with u, its path relative to u's.
func checkUser(u *generated.WSUserUniversalIdentifier) *Violation {
	if u.UserId == nil && (u.UserName == nil || strings.TrimSpace(*u.UserName) == "") {
		return &Violation{Rule: "set UserId (Therefore users) or UserName with DomainName (other users)"}
	}
	if u.UserId != nil && *u.UserId <= 0 {
		return &Violation{Path: "/UserId", Rule: fmt.Sprintf("must be > 0, got %d", *u.UserId)}
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
	const up = root + "/PortalUser"
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
		const list = up + "/IndexDataItems/WSIndexDataItem"
		for i, item := range u.IndexDataItems.WSIndexDataItem {
			// The path is built only for a violation: 10,000 items are common.
			ip := elemPath{name: list, index: i + 1}
			if err := checkItem(&ip, item); err != nil {
				return err
			}
		}
	}
	return nil
}

// elemPath is an element path formatted only when a violation names it:
// segments name/name[index], each below its parent. Paths live on the
// stack of the checks that walk the items.
type elemPath struct {
	parent *elemPath // nil at the top
	name   string    // one or more elements, "/"-separated
	index  int       // 1-based position in a list, 0 when not a list item
}

func (p *elemPath) String() string {
	depth := 0
	for q := p; q != nil; q = q.parent {
		depth++
	}
	// Root first; the names are copied, so that no path leaves the stack.
	var sb strings.Builder
	for level := depth - 1; level >= 0; level-- {
		q := p
		for range level {
			q = q.parent
		}
		if sb.Len() > 0 {
			sb.WriteByte('/')
		}
		sb.WriteString(q.name)
		if q.index > 0 {
			sb.WriteByte('[')
			sb.WriteString(strconv.Itoa(q.index))
			sb.WriteByte(']')
		}
	}
	return sb.String()
}

// variant is one IndexData member of an item, seen through what all
// variants share; date, dateTime and table are set for the variants with
// rules of their own.
type variant struct {
	name      string
	base      *generated.WSIndexDataBase
	fieldName *string
	date      *generated.WSIndexDataDate
	dateTime  *generated.WSIndexDataDateTime
	table     *generated.WSIndexDataTable
}

func checkItem(p *elemPath, item *generated.WSIndexDataItem) error {
	if item == nil {
		return violation(p.String(), "an index data item must not be nil")
	}
	var buf [9]variant
	return checkVariants(p, variants(&buf, item.DateIndexData, item.DateTimeIndexData, item.IntIndexData,
		item.LogicalIndexData, item.MoneyIndexData, item.MultipleKeywordData, item.SingleKeywordData,
		item.StringIndexData, item.TableIndexData))
}

func checkRowItem(p *elemPath, item *generated.WSTableFieldDataRowItem) error {
	if item == nil {
		return violation(p.String(), "a row item must not be nil")
	}
	// A table cell cannot hold multiple keywords or another table.
	var buf [9]variant
	return checkCell(p, variants(&buf, item.DateIndexData, item.DateTimeIndexData, item.IntIndexData,
		item.LogicalIndexData, item.MoneyIndexData, nil, item.SingleKeywordData, item.StringIndexData, nil))
}

// variants lists the members that are set, in contract order, in buf.
func variants(buf *[9]variant, date *generated.WSIndexDataDate, dateTime *generated.WSIndexDataDateTime, i *generated.WSIndexDataInt,
	logical *generated.WSIndexDataLogical, money *generated.WSIndexDataMoney, multi *generated.WSIndexDataMultipleKeyword,
	single *generated.WSIndexDataSingleKeyword, s *generated.WSIndexDataString, table *generated.WSIndexDataTable) []variant {
	vs := buf[:0]
	if date != nil {
		vs = append(vs, variant{name: "DateIndexData", base: date.WSIndexDataBase, fieldName: date.FieldName, date: date})
	}
	if dateTime != nil {
		vs = append(vs, variant{name: "DateTimeIndexData", base: dateTime.WSIndexDataBase, fieldName: dateTime.FieldName, dateTime: dateTime})
	}
	if i != nil {
		vs = append(vs, variant{name: "IntIndexData", base: i.WSIndexDataBase, fieldName: i.FieldName})
	}
	if logical != nil {
		vs = append(vs, variant{name: "LogicalIndexData", base: logical.WSIndexDataBase, fieldName: logical.FieldName})
	}
	if money != nil {
		vs = append(vs, variant{name: "MoneyIndexData", base: money.WSIndexDataBase, fieldName: money.FieldName})
	}
	if multi != nil {
		vs = append(vs, variant{name: "MultipleKeywordData", base: multi.WSIndexDataBase, fieldName: multi.FieldName})
	}
	if single != nil {
		vs = append(vs, variant{name: "SingleKeywordData", base: single.WSIndexDataBase, fieldName: single.FieldName})
	}
	if s != nil {
		vs = append(vs, variant{name: "StringIndexData", base: s.WSIndexDataBase, fieldName: s.FieldName})
	}
	if table != nil {
		vs = append(vs, variant{name: "TableIndexData", base: table.WSIndexDataBase, fieldName: table.FieldName, table: table})
	}
	return vs
}

// checkVariants checks the one variant an item holds.
func checkVariants(p *elemPath, vs []variant) error {
	if len(vs) == 1 && vs[0].table != nil {
		if _, err := one(p, vs); err != nil {
			return err
		}
		vp := elemPath{parent: p, name: vs[0].name}
		return checkTable(&vp, vs[0].table.DataValue)
	}
	return checkCell(p, vs)
}

// checkCell checks the one variant of an item that holds no table, as a
// table cell: the checks do not recurse, so that the paths stay on the
// stack.
func checkCell(p *elemPath, vs []variant) error {
	v, err := one(p, vs)
	if err != nil {
		return err
	}
	vp := elemPath{parent: p, name: v.name}
	switch {
	case v.date != nil:
		return checkDate(&vp, v.date.DataValue, v.date.DataISO8601Value, false)
	case v.dateTime != nil:
		return checkDate(&vp, v.dateTime.DataValue, v.dateTime.DataISO8601Value, true)
	}
	return nil
}

// one returns the only variant of vs, checking what every variant has.
func one(p *elemPath, vs []variant) (*variant, error) {
	switch len(vs) {
	case 0:
		return nil, violation(p.String(), "holds no index data; set exactly one of DateIndexData, DateTimeIndexData, IntIndexData, LogicalIndexData, MoneyIndexData, MultipleKeywordData, SingleKeywordData, StringIndexData, TableIndexData")
	case 1:
	default:
		names := make([]string, len(vs))
		for i, v := range vs {
			names[i] = v.name
		}
		return nil, violation(p.String(), "holds %s; exactly one index data value is allowed per item", strings.Join(names, " and "))
	}
	v := &vs[0]
	fieldNo := int32(0)
	if v.base != nil {
		fieldNo = v.base.FieldNo
	}
	if fieldNo < 0 {
		vp := elemPath{parent: p, name: v.name}
		return nil, violation(vp.String()+"/FieldNo", "must be >= 0, got %d", fieldNo)
	}
	if fieldNo == 0 && (v.fieldName == nil || strings.TrimSpace(*v.fieldName) == "") {
		vp := elemPath{parent: p, name: v.name}
		return nil, violation(vp.String()+"/FieldName", "FieldNo is 0, so FieldName must name the field")
	}
	return v, nil
}

var (
	isoDate     = regexp.MustCompile(`^\d{4}-\d{2}-\d{2}$`)
	isoDateTime = regexp.MustCompile(`^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$`)
)

func checkDate(p *elemPath, value *xsd.DateTime, iso *string, withTime bool) error {
	if iso != nil && *iso != "" {
		s := strings.TrimSpace(*iso)
		if withTime {
			if !isoDateTime.MatchString(s) {
				return violation(p.String()+"/DataISO8601Value", "%q is not an ISO 8601 UTC date time (example 2018-05-03T14:45:00Z)", s)
			}
			if !strings.HasSuffix(s, "Z") && !strings.HasSuffix(s, "+00:00") && !strings.HasSuffix(s, "-00:00") {
				return violation(p.String()+"/DataISO8601Value", "%q is not in UTC; Therefore takes DateTime values as UTC only (example 2018-05-03T14:45:00Z)", s)
			}
			// With seconds, as senders mostly write it, or without.
			if _, err := time.Parse(time.RFC3339Nano, s); err == nil {
				return nil
			}
			if _, err := time.Parse("2006-01-02T15:04Z07:00", s); err != nil {
				return violation(p.String()+"/DataISO8601Value", "%q is not a valid date time", s)
			}
			return nil
		}
		if !isoDate.MatchString(s) {
			return violation(p.String()+"/DataISO8601Value", "%q is not an ISO 8601 date; use YYYY-MM-DD (example 2017-07-23)", s)
		}
		// A calendar date of year 0001 or later (xs:date has no year 0000).
		if d, err := time.Parse(time.DateOnly, s); err != nil || d.Year() == 0 {
			return violation(p.String()+"/DataISO8601Value", "%q is not a calendar date", s)
		}
		return nil // DataValue is ignored when DataISO8601Value is set
	}
	if value != nil && value.HasZone() && !value.IsUTC() {
		return violation(p.String()+"/DataValue", "%q has a zone offset; send it without a zone or as UTC (Z)", value.String())
	}
	return nil
}

func checkTable(p *elemPath, rows *generated.ArrayOfWSTableFieldDataRow) error {
	if rows == nil {
		return nil
	}
	for i, row := range rows.WSTableFieldDataRow {
		rp := elemPath{parent: p, name: "DataValue/WSTableFieldDataRow", index: i + 1}
		if row == nil {
			return violation(rp.String(), "a table row must not be nil")
		}
		if row.RowNo != nil && *row.RowNo < 0 {
			return violation(rp.String()+"/RowNo", "must be >= 0 (rows start at 0), got %d", *row.RowNo)
		}
		if row.DataRowItems == nil {
			continue // nil items delete the row with this RowNo
		}
		for j, item := range row.DataRowItems.WSTableFieldDataRowItem {
			ip := elemPath{parent: &rp, name: "DataRowItems/WSTableFieldDataRowItem", index: j + 1}
			if err := checkRowItem(&ip, item); err != nil {
				return err
			}
		}
	}
	return nil
}

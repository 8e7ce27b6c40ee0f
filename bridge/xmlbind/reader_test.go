package xmlbind_test

import (
	"encoding/xml"
	"errors"
	"io"
	"strings"
	"testing"

	"github.com/thereforebridge/thereforebridge/bridge/xmlbind"
)

// drain reads every token of doc through a Reader with limits l.
func drain(doc string, l xmlbind.Limits) (starts int, err error) {
	r := xmlbind.NewReader(xml.NewDecoder(strings.NewReader(doc)), l)
	for {
		tok, err := r.Token()
		if errors.Is(err, io.EOF) {
			return starts, nil
		}
		if err != nil {
			return starts, err
		}
		if _, ok := tok.(xml.StartElement); ok {
			starts++
		}
	}
}

func TestReaderLimits(t *testing.T) {
	tests := []struct {
		name      string
		doc       string
		limits    xmlbind.Limits
		wantErr   string // "" when the document must pass
		wantLimit bool
	}{
		{name: "no limits", doc: "<a><b><c>" + strings.Repeat("x", 5000) + "</c></b></a>"},
		{name: "depth at the limit", doc: "<a><b><c/></b></a>", limits: xmlbind.Limits{MaxDepth: 3}},
		{name: "depth over", doc: "<a><b><c/></b></a>", limits: xmlbind.Limits{MaxDepth: 2}, wantErr: "nested more than 2 deep", wantLimit: true},
		{name: "siblings do not add depth", doc: "<a><b/><b/><b><c/></b><b/></a>", limits: xmlbind.Limits{MaxDepth: 3}},
		{name: "elements at the limit", doc: "<a><b/><b/></a>", limits: xmlbind.Limits{MaxElements: 3}},
		{name: "elements over", doc: "<a><b/><b/><b/></a>", limits: xmlbind.Limits{MaxElements: 3}, wantErr: "more than 3 elements", wantLimit: true},
		{name: "text at the limit", doc: "<a>" + strings.Repeat("x", 10) + "</a>", limits: xmlbind.Limits{MaxText: 10}},
		{name: "text over", doc: "<a>" + strings.Repeat("x", 11) + "</a>", limits: xmlbind.Limits{MaxText: 10}, wantErr: "longer than 10 bytes", wantLimit: true},
		{name: "CDATA over", doc: "<a><![CDATA[" + strings.Repeat("x", 11) + "]]></a>", limits: xmlbind.Limits{MaxText: 10}, wantErr: "longer than 10 bytes", wantLimit: true},
		{name: "attributes at the limit", doc: `<a x="1" y="2"/>`, limits: xmlbind.Limits{MaxAttrs: 2}},
		{name: "attributes over", doc: `<a x="1" y="2" xmlns:z="urn:z"/>`, limits: xmlbind.Limits{MaxAttrs: 2}, wantErr: "more than 2 attributes", wantLimit: true},
		{name: "attribute value over", doc: `<a x="` + strings.Repeat("v", 11) + `"/>`, limits: xmlbind.Limits{MaxText: 10}, wantErr: "attribute value longer than 10 bytes", wantLimit: true},
		{name: "DOCTYPE", doc: `<!DOCTYPE a [<!ENTITY e "x">]><a/>`, wantErr: "DOCTYPE"},
		{name: "comments and PIs pass", doc: "<?xml version=\"1.0\"?><!-- c --><a><?pi x?></a>"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := drain(tt.doc, tt.limits)
			if tt.wantErr == "" {
				if err != nil {
					t.Fatalf("Token over %q with %+v: %v", tt.doc, tt.limits, err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Fatalf("Token over %q with %+v: error %v, want %q", tt.doc, tt.limits, err, tt.wantErr)
			}
			if !strings.HasPrefix(err.Error(), "line 1: ") {
				t.Errorf("Token: error %q does not name the line", err)
			}
			if got := errors.Is(err, xmlbind.ErrLimit); got != tt.wantLimit {
				t.Errorf("Token: errors.Is(%q, ErrLimit) = %v, want %v", err, got, tt.wantLimit)
			}
		})
	}
}

func TestReaderSkip(t *testing.T) {
	tests := []struct {
		name    string
		doc     string
		limits  xmlbind.Limits
		next    string // local name of the start element after the skipped one
		wantErr string
	}{
		{name: "nested", doc: "<r><skip><a><b>t</b></a><a/></skip><next/></r>", next: "next"},
		{name: "empty", doc: "<r><skip/><next/></r>", next: "next"},
		{name: "limits apply while skipping", doc: "<r><skip><a><b/></a></skip></r>", limits: xmlbind.Limits{MaxDepth: 3}, wantErr: "nested more than 3 deep"},
		{name: "truncated", doc: "<r><skip><a>", wantErr: "EOF"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := xmlbind.NewReader(xml.NewDecoder(strings.NewReader(tt.doc)), tt.limits)
			for i := 0; i < 2; i++ { // <r>, <skip>
				if _, err := r.Token(); err != nil {
					t.Fatalf("Token: %v", err)
				}
			}
			err := r.Skip()
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("Skip over %q: error %v, want %q", tt.doc, err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatalf("Skip over %q: %v", tt.doc, err)
			}
			tok, err := r.Token()
			if start, ok := tok.(xml.StartElement); err != nil || !ok || start.Name.Local != tt.next {
				t.Errorf("after Skip over %q: Token = %#v, %v; want <%s>", tt.doc, tok, err, tt.next)
			}
		})
	}
}

package soap

import (
	"bytes"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"

	"golang.org/x/text/encoding/charmap"
	"golang.org/x/text/encoding/unicode"

	"github.com/thereforebridge/thereforebridge/bridge/xmlbind"
	"github.com/thereforebridge/thereforebridge/bridge/xmltok"
)

// WS-Addressing namespaces: the 2005 recommendation (WCF, zeep) and the
// 2004 submission (older stacks).
const (
	WSA10   = "http://www.w3.org/2005/08/addressing"
	WSA2004 = "http://schemas.xmlsoap.org/ws/2004/08/addressing"
)

// Request is a decoded SOAP request.
type Request struct {
	Version   Version
	Action    string // the action that selected the operation
	Operation *Operation
	Body      any // *generated.<Op>, filled
	// WSA is set when the request carried WS-Addressing headers; the
	// response then carries the reply action and RelatesTo, as WCF's does.
	WSA *Addressing
	// Security is the WS-Security UsernameToken, when one was sent.
	Security *UsernameToken
}

// Addressing holds the WS-Addressing headers the bridge answers to.
type Addressing struct {
	Namespace string
	Action    string
	MessageID string
}

// Decoding says how forgiving the decoding of body elements is.
type Decoding struct {
	// Strict faults on unknown elements instead of skipping them.
	Strict bool
	// Skipped is told the path of each unknown element skipped.
	Skipped func(path string)
}

// Read parses one request body. It returns a fault, never a panic, for
// anything a client can get wrong.
func Read(body []byte, t Transport, c Contract, limits xmltok.Limits, d Decoding) (*Request, *Fault) {
	body = bytes.TrimPrefix(body, []byte("\xef\xbb\xbf")) // WCF over SOAP 1.2 sends a BOM
	body, f := toUTF8(body, t.Charset)
	if f != nil {
		return nil, f
	}
	r := xmltok.NewReaderBytes(body, limits)
	env := &envelopeReader{r: r, t: t, c: c, d: d}
	req, err := env.read()
	if err != nil {
		return nil, env.fault(err)
	}
	return req, nil
}

type envelopeReader struct {
	r   *xmltok.Reader
	t   Transport
	c   Contract
	d   Decoding
	ns  string // envelope namespace once known
	req Request
}

// faultErr carries a ready fault through the reader's error returns.
type faultErr struct{ f *Fault }

func (e faultErr) Error() string { return e.f.Reason }

func (e *envelopeReader) fault(err error) *Fault {
	var fe faultErr
	if errors.As(err, &fe) {
		return fe.f
	}
	var be *xmlbind.Error
	if errors.As(err, &be) {
		return &Fault{Code: Client, Reason: be.Error(), Detail: &Detail{Kind: KindDecode, Path: be.Path, Rule: be.Rule}}
	}
	if errors.Is(err, xmltok.ErrLimit) {
		return &Fault{Code: Client, Status: http.StatusRequestEntityTooLarge, Reason: "the message is too large: " + err.Error(), Detail: &Detail{Kind: KindLimit}}
	}
	if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
		return Clientf(KindEnvelope, "the message is not well-formed XML: it ends before the Envelope is closed")
	}
	return Clientf(KindEnvelope, "the message is not well-formed XML: "+err.Error())
}

func (e *envelopeReader) failf(kind Kind, format string, args ...any) error {
	return faultErr{Clientf(kind, fmt.Sprintf(format, args...))}
}

// next returns the next start or end element, skipping comments,
// processing instructions and whitespace; other text is an error.
func (e *envelopeReader) next(where string) (xml.Token, error) {
	for {
		tok, err := e.r.Token()
		if err != nil {
			return nil, err
		}
		switch t := tok.(type) {
		case xml.StartElement, xml.EndElement:
			return t, nil
		case xml.CharData:
			if strings.Trim(string(t), " \t\r\n") != "" {
				return nil, e.failf(KindEnvelope, "text is not allowed %s", where)
			}
		}
	}
}

func (e *envelopeReader) read() (*Request, error) {
	tok, err := e.next("before the Envelope")
	if err != nil {
		if errors.Is(err, io.EOF) {
			return nil, e.failf(KindEnvelope, "the request body is empty; expected a %s Envelope", e.t.Version)
		}
		return nil, err
	}
	root, ok := tok.(xml.StartElement)
	if !ok {
		return nil, e.failf(KindEnvelope, "expected a SOAP Envelope")
	}
	if err := e.checkEnvelope(root); err != nil {
		return nil, err
	}
	e.req.Version = e.t.Version
	tok, err = e.next("in the Envelope")
	if err != nil {
		return nil, err
	}
	start, ok := tok.(xml.StartElement)
	if ok && start.Name == (xml.Name{Space: e.ns, Local: "Header"}) {
		if err := e.readHeader(); err != nil {
			return nil, err
		}
		if tok, err = e.next("in the Envelope"); err != nil {
			return nil, err
		}
		start, ok = tok.(xml.StartElement)
	}
	if !ok || start.Name != (xml.Name{Space: e.ns, Local: "Body"}) {
		return nil, e.failf(KindEnvelope, "the Envelope has no Body")
	}
	if err := e.readBody(); err != nil {
		return nil, err
	}
	// After the Body only the end of the Envelope may follow.
	if tok, err = e.next("after the Body"); err != nil {
		return nil, err
	}
	if _, ok := tok.(xml.EndElement); !ok {
		return nil, e.failf(KindEnvelope, "the Envelope may hold nothing after its Body")
	}
	// The tokenizer allows only comments and PIs after the root element.
	for {
		if _, err := e.r.Token(); errors.Is(err, io.EOF) {
			return &e.req, nil
		} else if err != nil {
			return nil, err
		}
	}
}

func (e *envelopeReader) checkEnvelope(root xml.StartElement) error {
	if root.Name.Local != "Envelope" || (root.Name.Space != NS11 && root.Name.Space != NS12) {
		// SOAP 1.2 part 1, 5.4.8: any other root is a VersionMismatch.
		return faultErr{&Fault{Code: VersionMismatch, Reason: fmt.Sprintf(
			"expected a SOAP Envelope in namespace %s (SOAP 1.1) or %s (SOAP 1.2), found <%s> in namespace %q",
			NS11, NS12, root.Name.Local, root.Name.Space), Detail: &Detail{Kind: KindEnvelope}}}
	}
	got := V11
	if root.Name.Space == NS12 {
		got = V12
	}
	if got != e.t.Version {
		want := "text/xml"
		if got == V12 {
			want = "application/soap+xml"
		}
		return faultErr{&Fault{Code: VersionMismatch, Reason: fmt.Sprintf(
			"a %s Envelope (namespace %s) was sent with the content type of %s; send it as %s", got, root.Name.Space, e.t.Version, want),
			Detail: &Detail{Kind: KindEnvelope}}}
	}
	e.ns = root.Name.Space
	return nil
}

// understood lists the header blocks the bridge processes (WS-Addressing).
func understood(n xml.Name) bool {
	if n.Space != WSA10 && n.Space != WSA2004 {
		return false
	}
	switch n.Local {
	case "Action", "To", "MessageID", "ReplyTo", "FaultTo", "From", "RelatesTo":
		return true
	}
	return false
}

func (e *envelopeReader) targetsUs(h xml.StartElement) bool {
	for _, a := range h.Attr {
		if a.Name.Space != e.ns {
			continue
		}
		switch {
		case e.ns == NS11 && a.Name.Local == "actor":
			return a.Value == "" || a.Value == "http://schemas.xmlsoap.org/soap/actor/next"
		case e.ns == NS12 && a.Name.Local == "role":
			return a.Value == "" || a.Value == NS12+"/role/next" || a.Value == NS12+"/role/ultimateReceiver"
		}
	}
	return true
}

func (e *envelopeReader) mustUnderstand(h xml.StartElement) bool {
	for _, a := range h.Attr {
		if a.Name.Space == e.ns && a.Name.Local == "mustUnderstand" {
			v := strings.TrimSpace(a.Value)
			return v == "1" || v == "true"
		}
	}
	return false
}

func (e *envelopeReader) readHeader() error {
	var notUnderstood []xml.Name
	for {
		tok, err := e.next("in the Header")
		if err != nil {
			return err
		}
		h, ok := tok.(xml.StartElement)
		if !ok {
			break // end of Header
		}
		switch {
		case understood(h.Name):
			if err := e.readAddressing(h); err != nil {
				return err
			}
			continue
		case h.Name == xml.Name{Space: WSSE, Local: "Security"} && e.targetsUs(h):
			ok, err := e.readSecurity(h)
			if err != nil {
				return err
			}
			if !ok && e.mustUnderstand(h) {
				notUnderstood = append(notUnderstood, h.Name)
			}
			continue
		case e.mustUnderstand(h) && e.targetsUs(h):
			notUnderstood = append(notUnderstood, h.Name)
		}
		if err := e.r.Skip(); err != nil {
			return err
		}
	}
	if len(notUnderstood) > 0 {
		n := notUnderstood[0]
		return faultErr{&Fault{Code: MustUnderstand, NotUnderstood: notUnderstood, Detail: &Detail{Kind: KindHeader},
			Reason: fmt.Sprintf("The header '%s' from the namespace '%s' was not understood by the recipient of this message, causing the message to not be processed (it is marked mustUnderstand). The bridge understands WS-Addressing headers and WS-Security UsernameTokens.", n.Local, n.Space)}}
	}
	return nil
}

func (e *envelopeReader) readAddressing(h xml.StartElement) error {
	if e.req.WSA == nil {
		e.req.WSA = &Addressing{Namespace: h.Name.Space}
	}
	switch h.Name.Local {
	case "Action", "MessageID":
		var s struct {
			Text string `xml:",chardata"`
		}
		if err := xmlbind.DecodeText(e.r, &s.Text); err != nil {
			return err
		}
		if h.Name.Local == "Action" {
			e.req.WSA.Action = strings.TrimSpace(s.Text)
		} else {
			e.req.WSA.MessageID = strings.TrimSpace(s.Text)
		}
		return nil
	}
	return e.r.Skip()
}

func (e *envelopeReader) readBody() error {
	tok, err := e.next("in the Body")
	if err != nil {
		return err
	}
	wrapper, ok := tok.(xml.StartElement)
	if !ok {
		return e.failf(KindEnvelope, "the Body is empty; it must hold one operation element such as <SavePortalUser>")
	}
	op, err := e.dispatch(wrapper)
	if err != nil {
		return err
	}
	e.req.Operation = op
	e.req.Body = op.New()
	found, err := xmlbind.Decode(e.r, wrapper, e.req.Body, op.Name, xmlbind.Options{Strict: e.d.Strict, Skipped: e.d.Skipped, Aliases: op.Aliases})
	if err != nil {
		return err
	}
	if len(found) > 0 && op.Resolve != nil {
		if err := op.Resolve(e.req.Body, found); err != nil {
			return err
		}
	}
	tok, err = e.next("in the Body")
	if err != nil {
		return err
	}
	if extra, ok := tok.(xml.StartElement); ok {
		return e.failf(KindEnvelope, "the Body holds more than one element: <%s> follows <%s>; send one operation per message", extra.Name.Local, wrapper.Name.Local)
	}
	return nil
}

// dispatch picks the operation by action, and by the body element when no
// action was sent; when both are there they must agree.
func (e *envelopeReader) dispatch(wrapper xml.StartElement) (*Operation, error) {
	action := e.t.Action
	if e.req.WSA != nil && e.req.WSA.Action != "" {
		if action != "" && action != e.req.WSA.Action {
			return nil, e.failf(KindDispatch, "the transport action %q and the WS-Addressing Action %q differ", action, e.req.WSA.Action)
		}
		action = e.req.WSA.Action
	}
	byElem := e.c.ByElement(wrapper.Name)
	if action == "" {
		if byElem == nil {
			return nil, e.unknownElement(wrapper)
		}
		return byElem, nil
	}
	byAction := e.c.ByAction(action)
	if byAction == nil {
		return nil, faultErr{ActionNotSupported(fmt.Sprintf("The message with Action '%s' cannot be processed at the receiver: the endpoint serves only %s.", action, e.actions()))}
	}
	e.req.Action = action
	if byElem != byAction {
		if byElem == nil && e.sameLocalName(wrapper) {
			return nil, e.unknownElement(wrapper)
		}
		return nil, e.failf(KindDispatch, "the action is %s but the Body holds <%s>; they must name the same operation", byAction.Name, wrapper.Name.Local)
	}
	return byAction, nil
}

// sameLocalName reports whether an operation's element has w's local name
// (in another namespace, or the unknown element would be that operation).
func (e *envelopeReader) sameLocalName(w xml.StartElement) bool {
	for _, op := range e.c {
		if op.Request.Local == w.Name.Local {
			return true
		}
	}
	return false
}

func (e *envelopeReader) unknownElement(w xml.StartElement) error {
	for _, op := range e.c {
		if op.Request.Local == w.Name.Local {
			return e.failf(KindDispatch, "the Body element <%s> is in namespace %q; the contract puts it in %q", w.Name.Local, w.Name.Space, op.Request.Space)
		}
	}
	return e.failf(KindDispatch, "the Body element {%s}%s is not an operation of this endpoint, which serves %s", w.Name.Space, w.Name.Local, e.names())
}

func (e *envelopeReader) names() string {
	n := make([]string, len(e.c))
	for i, op := range e.c {
		n[i] = op.Name
	}
	return strings.Join(n, " and ")
}

func (e *envelopeReader) actions() string {
	n := make([]string, len(e.c))
	for i, op := range e.c {
		n[i] = "'" + op.Action + "'"
	}
	return strings.Join(n, " and ")
}

// toUTF8 transcodes a body in another encoding than UTF-8: UTF-16, which
// WCF's text encoder reads (and writes, with writeEncoding utf-16, -16LE or
// -16BE), and the single-byte charsets. The HTTP charset wins over the XML
// declaration (RFC 7303); without either, XML is UTF-8, unless a UTF-16
// byte order mark or first character says otherwise.
func toUTF8(body []byte, httpCharset string) ([]byte, *Fault) {
	cs := httpCharset
	if cs == "" {
		if _, _, ok := utf16Order(body, ""); ok {
			cs = "utf-16"
		} else {
			cs = declaredEncoding(body)
		}
	}
	switch cs {
	case "", "utf-8", "utf8", "us-ascii", "ascii":
		return body, nil
	case "utf-16", "utf-16le", "utf-16be":
		return fromUTF16(body, cs, httpCharset == "")
	case "iso-8859-1", "latin1", "iso_8859-1", "l1":
		out, err := charmap.ISO8859_1.NewDecoder().Bytes(body)
		if err == nil {
			return out, nil
		}
	case "windows-1252", "cp1252":
		out, err := charmap.Windows1252.NewDecoder().Bytes(body)
		if err == nil {
			return out, nil
		}
	}
	return nil, &Fault{Code: Client, Status: http.StatusUnsupportedMediaType, Detail: &Detail{Kind: KindTransport},
		Reason: fmt.Sprintf("the character encoding %q is not supported; send UTF-8", cs)}
}

// fromUTF16 transcodes a UTF-16 body whose charset is cs (utf-16,
// utf-16le or utf-16be). declared says the encoding came from the XML
// declaration, not from HTTP.
func fromUTF16(body []byte, cs string, declared bool) ([]byte, *Fault) {
	order, bom, ok := utf16Order(body, cs)
	switch {
	case bom && (cs == "utf-16le" && order != unicode.LittleEndian || cs == "utf-16be" && order != unicode.BigEndian):
		return nil, utf16Fault(fmt.Sprintf("the charset is %s, but the byte order mark says the other byte order", cs))
	case !ok:
		where := "the charset is utf-16"
		if declared {
			where = "the XML declaration says utf-16"
		}
		return nil, utf16Fault(where + ", but the body is not UTF-16: it has no byte order mark and does not start with '<' in UTF-16")
	case bom:
		body = body[2:]
	}
	if len(body)%2 != 0 {
		return nil, utf16Fault("the UTF-16 body has an odd number of bytes")
	}
	out, err := unicode.UTF16(order, unicode.IgnoreBOM).NewDecoder().Bytes(body)
	if err != nil {
		return nil, utf16Fault("the UTF-16 body does not decode: " + err.Error())
	}
	return out, nil
}

// utf16Order is the byte order of a body that starts with prefix (two
// bytes are enough) in charset cs: its byte order mark's (bom); without
// one, the charset's (utf-16le, utf-16be), or for utf-16 or no charset
// the order in which the first character, '<', is written (XML 1.0,
// appendix F: beside it a NUL byte, which no XML in an ASCII-compatible
// encoding holds). ok is false when nothing says the body is UTF-16.
func utf16Order(prefix []byte, cs string) (order unicode.Endianness, bom, ok bool) {
	switch {
	case bytes.HasPrefix(prefix, []byte{0xff, 0xfe}):
		return unicode.LittleEndian, true, true
	case bytes.HasPrefix(prefix, []byte{0xfe, 0xff}):
		return unicode.BigEndian, true, true
	case cs == "utf-16le":
		return unicode.LittleEndian, false, true
	case cs == "utf-16be":
		return unicode.BigEndian, false, true
	case (cs == "utf-16" || cs == "") && len(prefix) >= 2 && prefix[0] == '<' && prefix[1] == 0:
		return unicode.LittleEndian, false, true
	case (cs == "utf-16" || cs == "") && len(prefix) >= 2 && prefix[0] == 0 && prefix[1] == '<':
		return unicode.BigEndian, false, true
	}
	return unicode.BigEndian, false, false
}

func utf16Fault(reason string) *Fault {
	return &Fault{Code: Client, Status: http.StatusUnsupportedMediaType, Detail: &Detail{Kind: KindTransport}, Reason: reason}
}

func declaredEncoding(body []byte) string {
	if !bytes.HasPrefix(body, []byte("<?xml")) {
		return ""
	}
	end := bytes.Index(body, []byte("?>"))
	if end < 0 {
		return ""
	}
	decl := string(body[:end])
	i := strings.Index(decl, "encoding")
	if i < 0 {
		return ""
	}
	rest := strings.TrimLeft(decl[i+len("encoding"):], " \t\r\n=")
	if rest == "" || (rest[0] != '"' && rest[0] != '\'') {
		return ""
	}
	q := rest[0]
	rest = rest[1:]
	if j := strings.IndexByte(rest, q); j >= 0 {
		return strings.ToLower(rest[:j])
	}
	return ""
}

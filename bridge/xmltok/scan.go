package xmltok

import (
	"bytes"
	"encoding/xml"
	"fmt"
	"io"
	"unicode"
	"unicode/utf8"
)

// The tokenizer works on the body's bytes: no reader, no per-byte call.
// Text without references or carriage returns comes out as a subslice of
// the body; names and short attribute values are interned (nameCache), and
// the boxed tokens of elements without attributes are kept with their
// names, so that a document of repeated elements allocates little beyond
// its text tokens.

// Byte classes, for the ASCII fast paths.
const (
	cNameStart = 1 << iota // ASCII NameStartChar: letters, '_', ':'
	cName                  // ASCII NameChar: also digits, '.', '-'
	cSpace                 // S: space, tab, CR, LF
	cText                  // character data that needs no attention
	cAttr                  // attribute value byte that needs no attention
	cChar                  // a legal character on its own (not CR)
)

var class = func() (t [256]uint8) {
	for c := 0; c < 256; c++ {
		switch {
		case 'A' <= c && c <= 'Z', 'a' <= c && c <= 'z', c == '_', c == ':':
			t[c] |= cNameStart | cName
		case '0' <= c && c <= '9', c == '.', c == '-':
			t[c] |= cName
		}
		switch c {
		case ' ', '\t', '\r', '\n':
			t[c] |= cSpace
		}
		if c >= 0x20 && c < 0x80 || c == '\t' || c == '\n' {
			t[c] |= cChar
			switch c {
			case '<', '&', ']':
			default:
				t[c] |= cText
			}
			switch c {
			case '<', '&', '"', '\'':
			default:
				t[c] |= cAttr
			}
		}
	}
	return t
}()

func isSpace(c byte) bool { return class[c]&cSpace != 0 }

// isInCharacterRange reports whether r is a Char (XML 1.0 §2.2 [2]).
func isInCharacterRange(r rune) bool {
	return r == 0x09 || r == 0x0A || r == 0x0D ||
		r >= 0x20 && r <= 0xD7FF ||
		r >= 0xE000 && r <= 0xFFFD ||
		r >= 0x10000 && r <= 0x10FFFF
}

func (r *Reader) syntaxAt(p int, msg string) error {
	return &xml.SyntaxError{Msg: msg, Line: r.lineAt(p)}
}

// stricter is syntaxAt for a refusal by a rule encoding/xml does not apply.
func (r *Reader) stricter(p int, rule Rule, msg string) error {
	return &StricterError{Rule: rule, Err: &xml.SyntaxError{Msg: msg, Line: r.lineAt(p)}}
}

func (r *Reader) eof() error { return r.syntaxAt(len(r.buf), "unexpected EOF") }

// next scans the next token.
func (r *Reader) next() (xml.Token, error) {
	b, i := r.buf, r.pos
	if i >= len(b) {
		if len(r.open) > 0 {
			return nil, r.eof()
		}
		return nil, io.EOF
	}
	if b[i] != '<' {
		return r.charData()
	}
	if i+1 >= len(b) {
		return nil, r.eof()
	}
	switch b[i+1] {
	case '/':
		return r.endTag()
	case '?':
		return r.procInst()
	case '!':
		return r.bang()
	}
	return r.startTag()
}

// checkRune checks the multi-byte character at i and returns its length.
func (r *Reader) checkRune(i int) (int, error) { return r.checkRuneIn(i, "") }

// checkRuneIn is checkRune for a comment or a processing instruction
// (where says which), which encoding/xml does not check.
func (r *Reader) checkRuneIn(i int, where string) (int, error) {
	c, n := utf8.DecodeRune(r.buf[i:])
	if c == utf8.RuneError && n == 1 {
		return 0, r.charError(i, "invalid UTF-8"+where, where)
	}
	if c == 0xFFFE || c == 0xFFFF { // the only non-Chars UTF-8 lets through
		return 0, r.charError(i, fmt.Sprintf("illegal character code %U", c)+where, where)
	}
	return n, nil
}

func (r *Reader) illegal(i int) error { return r.illegalIn(i, "") }

func (r *Reader) illegalIn(i int, where string) error {
	return r.charError(i, fmt.Sprintf("illegal character code %U", rune(r.buf[i]))+where, where)
}

// charError refuses an illegal character; in a comment or a processing
// instruction that is a Rule of its own, as encoding/xml does not look.
func (r *Reader) charError(i int, msg, where string) error {
	if where == inComment || where == inPI {
		return r.stricter(i, RuleChar, msg)
	}
	return r.syntaxAt(i, msg)
}

// Where checkChars looks, for its messages.
const (
	inCDATA   = ""
	inComment = " in a comment"
	inPI      = " in a processing instruction"
)

// checkChars checks that b[s:e] holds only legal characters and reports
// whether it holds a carriage return.
func (r *Reader) checkChars(s, e int, where string) (cr bool, err error) {
	b := r.buf[:e]
	for i := s; i < e; {
		c := b[i]
		switch {
		case class[c]&cChar != 0:
			i++
		case c == '\r':
			cr = true
			i++
		case c >= utf8.RuneSelf:
			n, err := r.checkRuneIn(i, where)
			if err != nil {
				return false, err
			}
			i += n
		default:
			return false, r.illegalIn(i, where)
		}
	}
	return cr, nil
}

// normalizeCR returns b[s:e] with CR LF and lone CR as LF (§2.11).
func (r *Reader) normalizeCR(s, e int) []byte {
	out := r.scratch[:0]
	b := r.buf[:e]
	for i := s; i < e; i++ {
		c := b[i]
		if c == '\r' {
			c = '\n'
			if i+1 < e && b[i+1] == '\n' {
				i++
			}
		}
		out = append(out, c)
	}
	r.scratch = out
	return out
}

// charData scans text up to the next '<'.
func (r *Reader) charData() (xml.Token, error) {
	data, err := r.charBytes()
	if err != nil {
		return nil, err
	}
	return xml.CharData(data), nil
}

// charBytes is charData's text, not yet in a token.
func (r *Reader) charBytes() ([]byte, error) {
	start := r.pos
	data, end, err := r.text(start, 0)
	if err != nil {
		return nil, err
	}
	if len(r.open) == 0 {
		for k, c := range r.buf[start:end] {
			if !isSpace(c) {
				return nil, r.stricter(start+k, RuleDocument, "text is not allowed outside the root element")
			}
		}
	}
	r.pos = end
	if r.limits.MaxText > 0 && len(data) > r.limits.MaxText {
		return nil, fmt.Errorf("line %d: a text node longer than %d bytes: %w", r.Line(), r.limits.MaxText, ErrLimit)
	}
	return data, nil
}

// text scans character data from i: up to '<' or the end when quote is 0,
// else an attribute value up to quote. It returns the data, unescaped, and
// where it ends (at the '<', or past the closing quote). The data is a
// window on the body until a reference or a carriage return changes it;
// from there on it is built in r.scratch.
func (r *Reader) text(i int, quote byte) ([]byte, int, error) {
	b := r.buf
	start := i
	plain := uint8(cText)
	if quote != 0 {
		plain = cAttr
	}
	var out []byte // nil while b[start:i] is the data as it stands
	copying := false
	for {
		j := i
		for i < len(b) && class[b[i]]&plain != 0 {
			i++
		}
		if copying {
			out = append(out, b[j:i]...)
		}
		if i >= len(b) {
			if quote != 0 {
				return nil, 0, r.eof()
			}
			return r.textDone(b[start:i], out, copying), i, nil
		}
		n := 1 // bytes of b[i] taken as they are
		switch c := b[i]; {
		case c == quote && quote != 0:
			return r.textDone(b[start:i], out, copying), i + 1, nil
		case c == '<':
			if quote != 0 {
				return nil, 0, r.syntaxAt(i, "unescaped < inside quoted string")
			}
			return r.textDone(b[start:i], out, copying), i, nil
		case c == '"' || c == '\'':
		case c == ']':
			if i+2 < len(b) && b[i+1] == ']' && b[i+2] == '>' {
				return nil, 0, r.syntaxAt(i, "unescaped ]]> not in CDATA section")
			}
		case c == '&' || c == '\r':
			if !copying {
				out, copying = append(r.scratch[:0], b[start:i]...), true
			}
			if c == '\r' { // CR LF and a lone CR are LF (§2.11)
				out = append(out, '\n')
				if i++; i < len(b) && b[i] == '\n' {
					i++
				}
				continue
			}
			var err error
			if out, i, err = r.reference(out, i); err != nil {
				return nil, 0, err
			}
			continue
		case c >= utf8.RuneSelf:
			var err error
			if n, err = r.checkRune(i); err != nil {
				return nil, 0, err
			}
		default:
			return nil, 0, r.illegal(i)
		}
		if copying {
			out = append(out, b[i:i+n]...)
		}
		i += n
	}
}

// textDone returns the data text scanned: the window on the body, or the
// copy, which then stays the scratch buffer.
func (r *Reader) textDone(window, out []byte, copying bool) []byte {
	if !copying {
		return window
	}
	r.scratch = out
	return out
}

// reference appends what the reference at b[i] == '&' stands for.
func (r *Reader) reference(out []byte, i int) ([]byte, int, error) {
	b := r.buf
	amp := i
	i++
	if i >= len(b) {
		return nil, 0, r.eof()
	}
	invalid := func(end int, semicolon bool) error {
		ent := string(b[amp:end])
		if !semicolon {
			ent += " (no semicolon)"
		}
		return r.syntaxAt(amp, "invalid character entity "+ent)
	}
	if b[i] == '#' {
		i++
		if i < len(b) && b[i] == 'x' {
			i++
			digits := i
			n := rune(0)
			for ; i < len(b); i++ {
				c := b[i]
				switch {
				case '0' <= c && c <= '9':
					c -= '0'
				case 'a' <= c && c <= 'f':
					c -= 'a' - 10
				case 'A' <= c && c <= 'F':
					c -= 'A' - 10
				default:
					goto hexDone
				}
				n = min(n<<4|rune(c), unicode.MaxRune+1)
			}
		hexDone:
			return r.charRef(out, amp, digits, i, n, invalid)
		}
		digits := i
		n := rune(0)
		for ; i < len(b) && '0' <= b[i] && b[i] <= '9'; i++ {
			n = min(n*10+rune(b[i]-'0'), unicode.MaxRune+1)
		}
		return r.charRef(out, amp, digits, i, n, invalid)
	}
	s := i
	for i < len(b) && (class[b[i]]&cName != 0 || b[i] >= utf8.RuneSelf) {
		i++
	}
	if i >= len(b) {
		return nil, 0, r.eof()
	}
	if b[i] != ';' {
		return nil, 0, invalid(i, false)
	}
	var c byte
	switch string(b[s:i]) {
	case "lt":
		c = '<'
	case "gt":
		c = '>'
	case "amp":
		c = '&'
	case "apos":
		c = '\''
	case "quot":
		c = '"'
	default:
		return nil, 0, invalid(i+1, true)
	}
	return append(out, c), i + 1, nil
}

// charRef finishes &#N; or &#xN; whose digits are b[digits:i], value n
// (capped just above the last code point).
func (r *Reader) charRef(out []byte, amp, digits, i int, n rune, invalid func(int, bool) error) ([]byte, int, error) {
	b := r.buf
	if i >= len(b) {
		return nil, 0, r.eof()
	}
	if b[i] != ';' {
		return nil, 0, invalid(i, false)
	}
	if i == digits || n > unicode.MaxRune {
		return nil, 0, invalid(i+1, true)
	}
	if !isInCharacterRange(n) {
		return nil, 0, r.stricter(amp, RuleLegalCharRef, fmt.Sprintf("character reference %s names %U, which is not a legal XML character", b[amp:i+1], n))
	}
	return utf8.AppendRune(out, n), i + 1, nil
}

// nameEnd returns where the name starting at i ends (i when there is
// none), and whether it has multi-byte characters: like encoding/xml, a
// name runs over name bytes and all non-ASCII bytes, checked afterwards.
func (r *Reader) nameEnd(i int) (int, bool) {
	b := r.buf
	high := false
	for i < len(b) {
		c := b[i]
		if class[c]&cName != 0 {
			i++
		} else if c >= utf8.RuneSelf {
			high = true
			i++
		} else {
			break
		}
	}
	return i, high
}

// isName reports whether s is a Name, by encoding/xml's tables beyond ASCII.
func isName(s []byte, high bool) bool {
	if len(s) == 0 {
		return false
	}
	if !high {
		if class[s[0]]&cNameStart == 0 {
			return false
		}
		return true // the rest are name bytes (nameEnd)
	}
	c, n := utf8.DecodeRune(s)
	if c == utf8.RuneError && n == 1 || !unicode.Is(nameStart, c) {
		return false
	}
	for s = s[n:]; len(s) > 0; s = s[n:] {
		c, n = utf8.DecodeRune(s)
		if c == utf8.RuneError && n == 1 || !unicode.Is(nameStart, c) && !unicode.Is(nameChar, c) {
			return false
		}
	}
	return true
}

// hinted returns where the name at i ends when it is e's name (a guess
// from the document's shape, nil when there is none), and -1 otherwise:
// in a document of repeated structure the guess saves scanning, hashing
// and looking up most names.
func (r *Reader) hinted(i int, e *nameEntry) int {
	if e == nil {
		return -1
	}
	end := i + len(e.raw)
	if end >= len(r.buf) || string(r.buf[i:end]) != e.raw {
		return -1
	}
	if c := r.buf[end]; class[c]&cName != 0 || c >= utf8.RuneSelf {
		return -1 // a longer name
	}
	return end
}

// qname scans the element or attribute name at i and returns its entry.
// missing is the message when there is no name at all; hint is the
// entry it probably is (see hinted).
func (r *Reader) qname(i int, missing string, hint *nameEntry) (*nameEntry, int, error) {
	if end := r.hinted(i, hint); end >= 0 {
		return hint, end, nil
	}
	end, high := r.nameEnd(i)
	if end == i {
		if i >= len(r.buf) {
			return nil, 0, r.eof()
		}
		return nil, 0, r.syntaxAt(i, missing)
	}
	if end >= len(r.buf) {
		return nil, 0, r.eof()
	}
	s := r.buf[i:end]
	if e := r.names.lookup(s); e != nil {
		return e, end, nil
	}
	if !isName(s, high) {
		return nil, 0, r.syntaxAt(i, "invalid XML name: "+string(s))
	}
	colon := bytes.IndexByte(s, ':')
	if colon >= 0 {
		local := s[colon+1:]
		lc, _ := utf8.DecodeRune(local)
		if colon == 0 || bytes.IndexByte(local, ':') >= 0 || len(local) == 0 ||
			(lc < utf8.RuneSelf && class[lc]&cNameStart == 0) || (lc >= utf8.RuneSelf && !unicode.Is(nameStart, lc)) {
			return nil, 0, r.stricter(i, RuleQName, "invalid qualified name "+string(s)+": a name may hold one colon, between a prefix and a local name")
		}
	}
	return r.names.add(s, colon), end, nil
}

func (r *Reader) skipSpace(i int) int {
	b := r.buf
	for i < len(b) && class[b[i]]&cSpace != 0 {
		i++
	}
	return i
}

// rawAttr is an attribute as scanned, before its prefix is resolved.
type rawAttr struct {
	e     *nameEntry
	value string
	bound bool // its prefix was declared (set while resolving)
}

// startTag scans <name attr="value"...> or <name.../>.
func (r *Reader) startTag() (xml.Token, error) {
	b := r.buf
	tagStart := r.pos
	var hint *nameEntry
	if r.lastStart != nil {
		hint = r.lastStart.nextStart
	}
	e, i, err := r.qname(tagStart+1, "expected element name after <", hint)
	if err != nil {
		return nil, err
	}
	if r.lastStart != nil {
		r.lastStart.nextStart = e
	}
	r.lastStart = e
	if r.rootDone {
		return nil, r.stricter(tagStart, RuleDocument, "element <"+e.raw+"> after the end of the root element; a document has one root element")
	}
	attrs := r.attrs[:0]
	empty := false
	for {
		ws := i
		i = r.skipSpace(i)
		if i >= len(b) {
			return nil, r.eof()
		}
		c := b[i]
		if c == '>' {
			i++
			break
		}
		if c == '/' {
			if i+1 >= len(b) {
				return nil, r.eof()
			}
			if b[i+1] != '>' {
				return nil, r.syntaxAt(i, "expected /> in element")
			}
			i += 2
			empty = true
			break
		}
		hint := e.firstAttr
		if len(attrs) > 0 {
			hint = nil
		}
		an, j, err := r.qname(i, "expected attribute name in element", hint)
		if err != nil {
			return nil, err
		}
		if len(attrs) == 0 {
			e.firstAttr = an
		}
		if i == ws {
			return nil, r.stricter(i, RuleAttrSpace, "attribute "+an.raw+" in element <"+e.raw+"> must be separated from what precedes it by whitespace")
		}
		i = r.skipSpace(j)
		if i >= len(b) {
			return nil, r.eof()
		}
		if b[i] != '=' {
			return nil, r.syntaxAt(i, "attribute name without = in element")
		}
		i = r.skipSpace(i + 1)
		if i >= len(b) {
			return nil, r.eof()
		}
		q := b[i]
		if q != '"' && q != '\'' {
			return nil, r.syntaxAt(i, "unquoted or missing attribute value in element")
		}
		v, end, err := r.text(i+1, q)
		if err != nil {
			return nil, err
		}
		i = end
		attrs = append(attrs, rawAttr{e: an, value: r.names.value(v)})
	}
	r.attrs = attrs
	r.pos = i
	return r.startElement(e, tagStart, empty)
}

// endTag scans </name>.
func (r *Reader) endTag() (xml.Token, error) {
	b := r.buf
	tagStart := r.pos
	s := tagStart + 2
	var end int
	var high bool
	if len(r.open) > 0 {
		end = r.hinted(s, r.open[len(r.open)-1].e)
	}
	if end <= 0 {
		end, high = r.nameEnd(s)
	}
	if end == s {
		if s >= len(b) {
			return nil, r.eof()
		}
		return nil, r.syntaxAt(s, "expected element name after </")
	}
	i := r.skipSpace(end)
	if i >= len(b) {
		return nil, r.eof()
	}
	if b[i] != '>' {
		return nil, r.syntaxAt(i, "invalid characters between </"+string(b[s:end])+" and >")
	}
	r.pos = i + 1
	name := b[s:end]
	if len(r.open) == 0 || r.open[len(r.open)-1].e.raw != string(name) {
		if !isName(name, high) {
			return nil, r.syntaxAt(s, "invalid XML name: "+string(name))
		}
		if len(r.open) == 0 {
			return nil, r.syntaxAt(r.pos, "unexpected end element </"+string(name)+">")
		}
		return nil, r.syntaxAt(r.pos, "element <"+r.open[len(r.open)-1].e.raw+"> closed by </"+string(name)+">")
	}
	return r.pop(), nil
}

// procInst scans <?target data?>, the XML declaration included.
func (r *Reader) procInst() (xml.Token, error) {
	b := r.buf
	at := r.pos
	s := at + 2
	end, high := r.nameEnd(s)
	if end == s {
		if s >= len(b) {
			return nil, r.eof()
		}
		return nil, r.syntaxAt(s, "expected target name after <?")
	}
	target := b[s:end]
	if !isName(target, high) {
		return nil, r.syntaxAt(s, "invalid XML name: "+string(target))
	}
	if bytes.IndexByte(target, ':') >= 0 {
		return nil, r.stricter(s, RuleQName, "processing instruction target "+string(target)+" contains a colon")
	}
	decl := false
	if len(target) == 3 && target[0]|0x20 == 'x' && target[1]|0x20 == 'm' && target[2]|0x20 == 'l' {
		if string(target) != "xml" {
			return nil, r.stricter(s, RulePITarget, "processing instruction target "+string(target)+" is reserved")
		}
		if at != r.start {
			return nil, r.stricter(s, RuleXMLDecl, "the XML declaration <?xml ...?> is allowed only at the very start of the document")
		}
		decl = true
	}
	if end >= len(b) {
		return nil, r.eof()
	}
	i := end
	if !isSpace(b[i]) && !bytes.HasPrefix(b[i:], []byte("?>")) {
		return nil, r.stricter(i, RulePISpace, "processing instruction target "+string(target)+" must be followed by whitespace or ?>")
	}
	i = r.skipSpace(i)
	k := bytes.Index(b[i:], []byte("?>"))
	if k < 0 {
		return nil, r.eof()
	}
	if _, err := r.checkChars(i, i+k, inPI); err != nil {
		return nil, err
	}
	if decl {
		if err := r.xmlDecl(end, i+k); err != nil {
			return nil, err
		}
	}
	r.pos = i + k + 2
	return xml.ProcInst{Target: r.names.value(target), Inst: b[i : i+k]}, nil
}

// xmlDecl checks the XML declaration's pseudo-attributes in b[i:end]
// (§2.8 [23]-[26] and [32], §4.3.3 [80]-[81]).
func (r *Reader) xmlDecl(i, end int) error {
	b := r.buf[:end]
	fail := func(at int, what string) error {
		return r.stricter(at, RuleXMLDecl, "malformed XML declaration: "+what)
	}
	// attr scans S name Eq quoted-value; it returns the name ("" when the
	// declaration ends here), the value and where it ends.
	attr := func(i int) (name, value string, next int, err error) {
		j := r.skipSpace(i)
		if j == end {
			return "", "", j, nil
		}
		if j == i {
			return "", "", 0, fail(j, "expected whitespace")
		}
		n := j
		for j < end && ('a' <= b[j] && b[j] <= 'z') {
			j++
		}
		if j == n {
			return "", "", 0, fail(j, "expected version, encoding or standalone")
		}
		name = string(b[n:j])
		j = r.skipSpace(j)
		if j == end || b[j] != '=' {
			return "", "", 0, fail(j, "expected version, encoding or standalone and =")
		}
		j = r.skipSpace(j + 1)
		if j == end || b[j] != '"' && b[j] != '\'' {
			return "", "", 0, fail(j, "expected a quoted value")
		}
		q := bytes.IndexByte(b[j+1:], b[j])
		if q < 0 {
			return "", "", 0, fail(j, "unterminated value")
		}
		return name, string(b[j+1 : j+1+q]), j + 2 + q, nil
	}
	name, v, i, err := attr(i)
	if err != nil {
		return err
	}
	if name != "version" {
		return fail(i, "the version must come first")
	}
	if v != "1.0" {
		return r.stricter(i, RuleXMLDecl, fmt.Sprintf("unsupported XML version %q; only version 1.0 is supported", v))
	}
	seen := 0 // 1: encoding, 2: standalone
	for {
		at := i
		name, v, i, err = attr(i)
		if err != nil {
			return err
		}
		switch {
		case name == "":
			return nil
		case name == "encoding" && seen < 1:
			seen = 1
			if !encName(v) {
				return fail(at, fmt.Sprintf("%q is not an encoding name", v))
			}
		case name == "standalone" && seen < 2:
			seen = 2
			if v != "yes" && v != "no" {
				return fail(at, fmt.Sprintf("standalone=%q, want yes or no", v))
			}
		default:
			return fail(at, "expected encoding, then standalone, after version")
		}
	}
}

// encName reports whether s matches EncName, [A-Za-z] ([A-Za-z0-9._] | '-')*.
func encName(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		letter := 'a' <= c|0x20 && c|0x20 <= 'z' // c|0x20 lowers A-Z only
		if !letter && (i == 0 || !('0' <= c && c <= '9' || c == '.' || c == '_' || c == '-')) {
			return false
		}
	}
	return s != ""
}

// bang scans what starts with <!: a comment, a CDATA section or a
// directive (refused).
func (r *Reader) bang() (xml.Token, error) {
	b := r.buf
	at := r.pos
	i := at + 2
	if i >= len(b) {
		return nil, r.eof()
	}
	switch b[i] {
	case '-':
		if i+1 >= len(b) {
			return nil, r.eof()
		}
		if b[i+1] != '-' {
			return nil, r.syntaxAt(i, "invalid sequence <!- not part of <!--")
		}
		s := i + 2
		k := bytes.Index(b[s:], []byte("--"))
		if k < 0 {
			return nil, r.eof()
		}
		e := s + k
		if e+2 >= len(b) {
			return nil, r.eof()
		}
		if b[e+2] != '>' {
			return nil, r.syntaxAt(e, `invalid sequence "--" not allowed in comments`)
		}
		if _, err := r.checkChars(s, e, inComment); err != nil {
			return nil, err
		}
		r.pos = e + 3
		return xml.Comment(b[s:e]), nil
	case '[':
		for k := 0; k < 7; k++ {
			if i+k >= len(b) {
				return nil, r.eof()
			}
			if b[i+k] != "[CDATA["[k] {
				return nil, r.syntaxAt(i+k, "invalid <![ sequence")
			}
		}
		if len(r.open) == 0 {
			return nil, r.stricter(at, RuleDocument, "a CDATA section is not allowed outside the root element")
		}
		s := i + 7
		k := bytes.Index(b[s:], []byte("]]>"))
		if k < 0 {
			return nil, r.syntaxAt(len(b), "unexpected EOF in CDATA section")
		}
		e := s + k
		cr, err := r.checkChars(s, e, inCDATA)
		if err != nil {
			return nil, err
		}
		data := b[s:e]
		if cr {
			data = r.normalizeCR(s, e)
		}
		r.pos = e + 3
		if r.limits.MaxText > 0 && len(data) > r.limits.MaxText {
			return nil, fmt.Errorf("line %d: a text node longer than %d bytes: %w", r.Line(), r.limits.MaxText, ErrLimit)
		}
		return xml.CharData(data), nil
	}
	if err := r.skipDirective(i); err != nil {
		return nil, err
	}
	return nil, fmt.Errorf("line %d: %w", r.Line(), ErrDirective)
}

// skipDirective finds the end of <!DOCTYPE ...> or another directive the
// way encoding/xml does (quotes, nested <...>, comments), so that its
// refusal names the line where it ends.
func (r *Reader) skipDirective(i int) error {
	b := r.buf
	i++ // the first byte is taken as it is
	var inquote byte
	depth := 0
	for {
		if i >= len(b) {
			return r.eof()
		}
		c := b[i]
		i++
		if inquote == 0 && c == '>' && depth == 0 {
			r.pos = i
			return nil
		}
	handle:
		switch {
		case c == inquote:
			inquote = 0
		case inquote != 0:
		case c == '\'' || c == '"':
			inquote = c
		case c == '>':
			depth--
		case c == '<':
			for k := 0; k < 3; k++ {
				if i >= len(b) {
					return r.eof()
				}
				c = b[i]
				i++
				if c != "!--"[k] {
					depth++
					goto handle
				}
			}
			var b0, b1 byte
			for {
				if i >= len(b) {
					return r.eof()
				}
				c = b[i]
				i++
				if b0 == '-' && b1 == '-' && c == '>' {
					break
				}
				b0, b1 = b1, c
			}
		}
	}
}

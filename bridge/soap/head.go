package soap

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"strings"

	"golang.org/x/text/encoding/unicode"
	"golang.org/x/text/transform"
)

// MaxHead bounds how much of a body PeekHead reads to find the first
// element of the Body: the Envelope's start and its whole Header.
const MaxHead = 256 << 10

// Head is what the start of an envelope says about a call that is to be
// passed on unread: enough to dispatch and authenticate it.
type Head struct {
	Action   string         // the WS-Addressing Action header, if any
	Security *UsernameToken // a WS-Security UsernameToken, if any
	Body     xml.Name       // the first element of the Body
}

// PeekHead reads body up to the first element inside the SOAP Body and
// returns what it found, with the raw bytes it consumed: the caller sends
// those, then the rest of body, so the message goes on byte for byte.
// gzip says the body is gzip-compressed (the prefix is still raw bytes);
// charset is the HTTP charset, which tells UTF-16 without a byte order
// mark.
func PeekHead(body io.Reader, gzipped bool, charset string) (Head, []byte, *Fault) {
	var h Head
	rec := &recording{r: body}
	var in io.Reader = rec
	if gzipped {
		zr, err := gzip.NewReader(rec)
		if err != nil {
			return h, rec.buf.Bytes(), Clientf("Transport", "the gzip body cannot be read: "+err.Error())
		}
		in = zr
	}
	d := xml.NewDecoder(skipBOM(fromUTF16Stream(in, charset)))
	// Dispatch needs only ASCII names; a Latin-1 body reads as bytes here
	// and is decoded properly by whoever reads it whole (a UTF-16 one is
	// UTF-8 by now, whatever its declaration says).
	d.CharsetReader = func(_ string, r io.Reader) (io.Reader, error) { return r, nil }
	depth, inHeader, inBody := 0, false, false
	for {
		tok, err := d.Token()
		if err != nil {
			if rec.over {
				return h, rec.buf.Bytes(), Clientf("Limit", fmt.Sprintf("the SOAP Header is larger than %d bytes", MaxHead))
			}
			if errors.Is(err, io.EOF) {
				return h, rec.buf.Bytes(), Clientf("Envelope", "the message ends before its Body holds an operation element")
			}
			return h, rec.buf.Bytes(), Clientf("Envelope", "the message is not well-formed XML: "+err.Error())
		}
		switch t := tok.(type) {
		case xml.StartElement:
			depth++
			switch {
			case depth == 1:
				if t.Name.Local != "Envelope" || (t.Name.Space != NS11 && t.Name.Space != NS12) {
					return h, rec.buf.Bytes(), &Fault{Code: VersionMismatch, Detail: &Detail{Kind: "Envelope"}, Reason: fmt.Sprintf(
						"expected a SOAP Envelope in namespace %s (SOAP 1.1) or %s (SOAP 1.2), found <%s>", NS11, NS12, t.Name.Local)}
				}
			case depth == 2 && t.Name.Local == "Header":
				inHeader = true
			case depth == 2 && t.Name.Local == "Body":
				inBody = true
			case depth == 3 && inBody:
				h.Body = t.Name
				return h, rec.buf.Bytes(), nil
			case depth == 3 && inHeader:
				if err := h.readBlock(d, t); err != nil {
					return h, rec.buf.Bytes(), Clientf("Header", "the SOAP Header cannot be read: "+err.Error())
				}
				depth--
			}
		case xml.EndElement:
			depth--
			if depth == 1 {
				inHeader = false
				if inBody {
					return h, rec.buf.Bytes(), Clientf("Envelope", "the Body is empty; it must hold one operation element")
				}
			}
		}
	}
}

// readBlock reads one header block whose start tag was just read.
func (h *Head) readBlock(d *xml.Decoder, start xml.StartElement) error {
	switch {
	case start.Name.Local == "Action" && (start.Name.Space == WSA10 || start.Name.Space == WSA2004):
		var s struct {
			Text string `xml:",chardata"`
		}
		if err := d.DecodeElement(&s, &start); err != nil {
			return err
		}
		h.Action = strings.TrimSpace(s.Text)
		return nil
	case start.Name == xml.Name{Space: WSSE, Local: "Security"}:
		var s securityHeader
		if err := d.DecodeElement(&s, &start); err != nil {
			return err
		}
		h.Security = s.token()
		return nil
	}
	return d.Skip()
}

// recording keeps the raw bytes read through it, up to MaxHead.
type recording struct {
	r    io.Reader
	buf  bytes.Buffer
	over bool
}

func (r *recording) Read(p []byte) (int, error) {
	if r.buf.Len() >= MaxHead {
		r.over = true
		return 0, errors.New("head too large")
	}
	if room := MaxHead - r.buf.Len(); len(p) > room {
		p = p[:room]
	}
	n, err := r.r.Read(p)
	r.buf.Write(p[:n])
	return n, err
}

// fromUTF16Stream reads a UTF-16 stream as UTF-8, in the byte order
// utf16Order finds (as toUTF8 does with a whole body); any other stream
// passes as it is.
func fromUTF16Stream(r io.Reader, charset string) io.Reader {
	br := bufio.NewReader(r)
	prefix, _ := br.Peek(2)
	order, bom, ok := utf16Order(prefix, charset)
	if !ok {
		return br
	}
	if bom {
		_, _ = br.Discard(2)
	}
	return transform.NewReader(br, unicode.UTF16(order, unicode.IgnoreBOM).NewDecoder())
}

func skipBOM(r io.Reader) io.Reader {
	var b [3]byte
	n, err := io.ReadFull(r, b[:])
	if n == 3 && bytes.Equal(b[:], []byte("\xef\xbb\xbf")) {
		return r
	}
	rest := io.MultiReader(bytes.NewReader(b[:n]), r)
	if err != nil {
		return bytes.NewReader(b[:n])
	}
	return rest
}

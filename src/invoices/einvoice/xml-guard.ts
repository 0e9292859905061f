/**
 * What an XML file must not do before it is parsed: carry a DOCTYPE (entities could expand without bound, or
 * reach outside), be larger than the limit, or have more elements or more nesting than an invoice ever needs.
 * One linear pass over the text, before any parser allocates a tree.
 */
import { FileTooComplexError, type FileLimits } from './limits.js';
import { UnreadableInvoiceError } from './read-invoice.js';

export function guardXml(xml: string, limits: FileLimits): void {
  if (Buffer.byteLength(xml, 'utf8') > limits.maxXmlBytes)
    throw new FileTooComplexError(`The XML is larger than ${limits.maxXmlBytes} bytes (FILE_MAX_XML_BYTES)`);
  if (/<!DOCTYPE/i.test(xml))
    throw new UnreadableInvoiceError(
      'The XML has a DOCTYPE: refused, an e-invoice needs none (and its entities could expand without bound)',
      'xml_doctype',
    );
  let elements = 0;
  let depth = 0;
  for (let at = xml.indexOf('<'); at >= 0; at = xml.indexOf('<', at + 1)) {
    const next = xml[at + 1];
    if (next === '?') {
      at = skipPast(xml, at, '?>');
    } else if (next === '!') {
      at = xml.startsWith('<!--', at)
        ? skipPast(xml, at, '-->')
        : xml.startsWith('<![CDATA[', at)
          ? skipPast(xml, at, ']]>')
          : skipPast(xml, at, '>');
    } else if (next === '/') {
      depth -= 1;
    } else {
      if (++elements > limits.maxXmlElements)
        throw new FileTooComplexError(
          `The XML has more than ${limits.maxXmlElements} elements (FILE_MAX_XML_ELEMENTS)`,
        );
      const end = xml.indexOf('>', at);
      if (end < 0) return; // unterminated: the parser says so
      if (xml[end - 1] !== '/' && ++depth > limits.maxXmlDepth)
        throw new FileTooComplexError(`The XML nests deeper than ${limits.maxXmlDepth} levels (FILE_MAX_XML_DEPTH)`);
      at = end;
    }
  }
}

function skipPast(xml: string, from: number, marker: string): number {
  const end = xml.indexOf(marker, from);
  return end < 0 ? xml.length : end + marker.length - 1;
}

/**
 * The intake's XML reading: strict XML 1.0 well-formedness (what Chorus Pro's own checks refuse at integration),
 * and the tree the UBL and CII readers walk.
 */
import { describe, expect, it } from 'vitest';
import { parseXmlTree, wellFormednessProblem } from '../../src/invoices/einvoice/xml-tree.js';

describe('XML well-formedness', () => {
  it.each([
    ['an unclosed element', '<Invoice><ID>1</Invoice>'],
    ['an entity no DTD declares', '<Invoice><Note>&eacute;</Note></Invoice>'],
    ['text after the root element', '<Invoice/>trailing'],
    ['two root elements', '<Invoice/><Invoice/>'],
    ['an attribute without quotes', '<Invoice a=1/>'],
    ['the same attribute twice', '<Invoice a="1" a="2"/>'],
    ['a bare ampersand', '<Invoice><Note>A & B</Note></Invoice>'],
    ['no element at all', '<?xml version="1.0"?>'],
  ])('refuses %s', (_label, xml) => {
    expect(wellFormednessProblem(xml)).toMatch(/^The XML is not well-formed: /);
    expect(() => parseXmlTree(xml)).toThrow(/not well-formed/);
  });

  it('accepts the predefined entities, character references and CDATA', () => {
    expect(
      wellFormednessProblem(
        '<?xml version="1.0" encoding="UTF-8"?><a>&lt;&gt;&amp;&quot;&apos;&#233;&#xE9;<![CDATA[<b>]]></a>',
      ),
    ).toBeNull();
    expect(parseXmlTree('<a>&lt;&amp;&#233;<![CDATA[<b>]]></a>')).toEqual({ a: '<&é<b>' });
  });
});

describe('the tree', () => {
  it('keys elements by local name, repeats as arrays, attributes as @name, text as #text beside them', () => {
    const tree = parseXmlTree(
      `<ubl:Invoice xmlns:ubl="urn:oasis:names:specification:ubl:schema:xsd:Invoice-2" xmlns:cbc="urn:cbc">
         <cbc:ID>F-1</cbc:ID>
         <cbc:Note>one</cbc:Note><cbc:Note>two</cbc:Note>
         <cbc:EndpointID schemeID="0009"> 12345678200010 </cbc:EndpointID>
         <cbc:Empty/>
       </ubl:Invoice>`,
    );
    expect(tree).toEqual({
      Invoice: {
        ID: 'F-1',
        Note: ['one', 'two'],
        EndpointID: { '@schemeID': '0009', '#text': '12345678200010' },
        Empty: '',
      },
    });
  });
});

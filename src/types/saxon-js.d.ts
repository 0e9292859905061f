/** The part of SaxonJS (npm `saxon-js`, which ships no types) that the EN 16931 check uses. */
declare module 'saxon-js' {
  interface TransformOptions {
    /** A compiled stylesheet (SEF), as parsed JSON. */
    stylesheetInternal: unknown;
    sourceText: string;
    destination: 'raw';
  }
  interface TransformResult {
    principalResult: unknown;
  }
  interface XPathOptions {
    namespaceContext?: Record<string, string>;
    resultForm?: 'array';
  }
  const SaxonJS: {
    transform(options: TransformOptions, mode: 'sync'): TransformResult;
    XPath: { evaluate(expression: string, context: unknown, options?: XPathOptions): unknown };
  };
  export default SaxonJS;
}
